package dev.descent.nn.utils;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingAndEarlyStoppingTest {

    private static Tensor withGrad(double... grad) {
        Tensor p = Tensor.of(NDArray.of(new double[grad.length])).requiresGrad(true);
        p.mul(Tensor.of(NDArray.of(grad))).sum().backward();
        return p;
    }

    @Test
    void clipGradNormScalesAllGradientsTogetherAndReturnsTheOriginalNorm() {
        Tensor a = withGrad(3, 0);
        Tensor b = withGrad(0, 4);
        double norm = GradientClipping.clipGradNorm(List.of(a, b), 1);
        assertEquals(5, norm, 1e-15);
        double scale = 1 / (5 + 1e-6);
        assertArrayEquals(new double[] {3 * scale, 0}, a.grad().data().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0, 4 * scale}, b.grad().data().toDoubleArray(), 1e-15);
        Tensor small = withGrad(0.1, 0.2);
        assertEquals(Math.sqrt(0.05), GradientClipping.clipGradNorm(List.of(small), 1), 1e-15);
        assertArrayEquals(new double[] {0.1, 0.2}, small.grad().data().toDoubleArray(), 0, "below maxNorm nothing changes");
        Tensor c = withGrad(-7, 2);
        assertEquals(7, GradientClipping.clipGradNorm(List.of(c), 3.5, Double.POSITIVE_INFINITY), 0);
        assertEquals(-3.5, c.grad().data().get(0), 1e-6);
        assertEquals(9, GradientClipping.clipGradNorm(List.of(withGrad(-7, 2)), 100, 1), 0);
    }

    @Test
    void aNonFiniteNormIsReportedAndChangesNothing() {
        Tensor bad = withGrad(Double.NaN, 1);
        Tensor good = withGrad(30, 40);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> GradientClipping.clipGradNorm(List.of(bad, good), 1));
        assertTrue(e.getMessage().startsWith("clipGradNorm: the total gradient norm is NaN"), e.getMessage());
        assertArrayEquals(new double[] {30, 40}, good.grad().data().toDoubleArray(), 0);
        assertThrows(ArithmeticException.class, () -> GradientClipping.clipGradNorm(List.of(withGrad(Double.POSITIVE_INFINITY)), 1));
    }

    @Test
    void clipGradValueClampsEachElement() {
        Tensor p = withGrad(-3, 0.5, 2);
        GradientClipping.clipGradValue(List.of(p), 1);
        assertArrayEquals(new double[] {-1, 0.5, 1}, p.grad().data().toDoubleArray(), 0);
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradValue(List.of(p), -1));
    }

    @Test
    void earlyStoppingWaitsForPatienceEpochsWithoutImprovement() {
        EarlyStopping stopper = new EarlyStopping(EarlyStopping.Mode.MIN, 3, 0.01);
        double[] losses = {1.0, 0.8, 0.795, 0.7, 0.72, 0.695, 0.71};
        boolean[] stops = new boolean[losses.length];
        for (int i = 0; i < losses.length; i++) {
            stops[i] = stopper.step(losses[i]);
        }
        // 0.795 and 0.695 are within minDelta of the best, so they do not count as improvements
        assertArrayEquals(new boolean[] {false, false, false, false, false, false, true}, stops);
        assertEquals(0.7, stopper.best(), 0);
        assertEquals(3, stopper.bestEpoch());
        EarlyStopping accuracy = new EarlyStopping(EarlyStopping.Mode.MAX, 1, 0);
        assertFalse(accuracy.step(0.5));
        assertFalse(accuracy.step(0.6));
        assertTrue(accuracy.step(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new EarlyStopping(EarlyStopping.Mode.MIN, 0, 0));
    }
}
