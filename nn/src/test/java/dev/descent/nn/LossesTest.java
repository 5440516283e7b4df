package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

class LossesTest {

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor logits = Tensor.of(NDArray.of(new float[] {1000, -1000, 0, 0, 5000, 0}, 2, 3));
        Tensor loss = Losses.crossEntropy(logits, Tensor.of(new int[] {1, 0}));
        assertEquals((2000 + 5000) / 2.0, loss.item(), 1e-3);
        Tensor logitsWithGrad = Tensor.of(NDArray.of(new float[] {80, 0}, 1, 2)).requiresGrad(true);
        Losses.crossEntropy(logitsWithGrad, Tensor.of(new int[] {1})).backward();
        assertTrue(Double.isFinite(logitsWithGrad.grad().data().sum().item()));
        double bce = Losses.binaryCrossEntropyWithLogits(Tensor.of(NDArray.of(new double[] {-800, 900})),
                Tensor.of(NDArray.of(new double[] {1, 0})), null, Reduction.SUM).item();
        assertEquals(1700, bce, 1e-9);
    }

    @Test
    void badTargetsAreClearErrors() {
        Tensor logits = Tensor.zeros(2, 3);
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.zeros(2)));
        assertEquals("crossEntropy: targets must be INT32 class indices, got FLOAT32", dtype.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new int[] {0, 1, 2})));
        assertEquals("crossEntropy: targets must have shape [2] for input of shape [2, 3], got [3]", shape.getMessage());
        IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class,
                () -> Losses.crossEntropy(logits, Tensor.of(new int[] {0, 3})));
        assertEquals("crossEntropy: target 3 is out of range for 3 classes (expected 0 to 2)", range.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Losses.nll(logits, Tensor.of(new int[] {-1, 0})));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.zeros(3), Tensor.of(new int[] {0})));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().weight(NDArray.ones(2)).forward(logits,
                Tensor.of(new int[] {0, 1})));
        IllegalArgumentException mse = assertThrows(IllegalArgumentException.class,
                () -> Losses.mse(Tensor.zeros(2, 3), Tensor.zeros(3)));
        assertEquals("mse: input shape [2, 3] and target shape [3] must be equal", mse.getMessage());
        IllegalArgumentException bce = assertThrows(IllegalArgumentException.class,
                () -> Losses.binaryCrossEntropy(Tensor.of(NDArray.of(new float[] {1.5f})), Tensor.ones(1), Reduction.MEAN));
        assertTrue(bce.getMessage().startsWith("binaryCrossEntropy: probabilities must be in [0, 1]"), bce.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss().labelSmoothing(1.5));
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss().delta(0));
    }

    @Test
    void reductionsCombinePerElementLosses() {
        Tensor prediction = Tensor.of(NDArray.of(new double[] {1, 2, 3, 4}));
        Tensor target = Tensor.zeros(DType.FLOAT64, 4);
        assertEquals(30, new MSELoss().reduction(Reduction.SUM).forward(prediction, target).item(), 0);
        assertEquals(7.5, new MSELoss().forward(prediction, target).item(), 0);
        assertEquals(4, new L1Loss().reduction(Reduction.NONE).forward(prediction, target).size());
        // Huber with delta 1: 0.5, 1.5, 2.5, 3.5
        assertEquals(8, new HuberLoss().reduction(Reduction.SUM).forward(prediction, target).item(), 1e-12);
    }
}
