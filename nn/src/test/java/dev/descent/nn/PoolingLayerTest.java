package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Tensor;
import dev.descent.autograd.TensorFunction;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm2d and Dropout2d: float64 GradCheck (first and
 * second order) over random kernel, stride, padding, dilation and ceil-mode combinations on
 * transposed and sliced inputs; the argument errors; BatchNorm2d's state-dict names; Dropout2d's
 * channel masks.
 */
class PoolingLayerTest {
    private final Generator g = new Generator(2323);

    private int draw(int from, int to) {
        return from + (int) Math.floor(NDArray.rand(DType.FLOAT64, g, 1).item() * (to - from + 1));
    }

    /** A float64 [n, c, h, w] leaf that is a non-contiguous view: transposed, or a strided slice of a larger array. */
    private Tensor view(int n, int c, int h, int w, boolean transposed) {
        NDArray data = transposed ? NDArray.randn(DType.FLOAT64, g, n, c, w, h).transpose(2, 3)
                : NDArray.randn(DType.FLOAT64, g, n, c + 1, 2 * h, w).narrow(1, 1, c).slice(2, 1, 2 * h, 2);
        return Tensor.of(data).requiresGrad(true);
    }

    private static void check(String what, TensorFunction f, Tensor... inputs) {
        GradCheck.Result result = GradCheck.check(f, inputs);
        assertTrue(result.passed(), what + ": " + result);
    }

    private static void checkSecondOrder(String what, TensorFunction f, Tensor... inputs) {
        GradCheck.Result result = GradCheck.checkSecondOrder(f, inputs);
        assertTrue(result.passed(), what + " (second order): " + result);
    }

    /** Builds a layer from random arguments until one accepts a random input; returns both, checked. */
    private int checkRandomGeometries(String kind, int trials, Supplier<Module> layers) {
        int checked = 0;
        for (int trial = 0; trial < trials; trial++) {
            Module layer = layers.get();
            Tensor x = view(draw(1, 2), draw(1, 3), draw(2, 9), draw(2, 9), trial % 2 == 0);
            try {
                layer.forward(x);
            } catch (IllegalArgumentException tooSmall) {
                continue;   // a geometry the input does not fit: the error tests cover it
            }
            String what = kind + " " + layer + " on " + java.util.Arrays.toString(x.shape()) + (trial % 2 == 0 ? " (transposed)" : " (sliced)");
            check(what, in -> layer.forward(in[0]), x);
            if (trial % 4 == 0) {
                checkSecondOrder(what, in -> layer.forward(in[0].mul(in[0])).tanh(), x);
            }
            checked++;
        }
        return checked;
    }

    @Test
    void maxPoolGradientsOnRandomGeometries() {
        int checked = checkRandomGeometries("MaxPool2d", 24, () -> {
            int kh = draw(1, 3);
            int kw = draw(1, 3);
            return new MaxPool2d(new int[] {kh, kw}, new int[] {draw(1, 3), draw(1, 2)}, new int[] {draw(0, kh / 2), draw(0, kw / 2)},
                    new int[] {draw(1, 2), draw(1, 2)}, draw(0, 1) == 1);
        });
        assertTrue(checked >= 12, "geometries checked: " + checked);
    }

    @Test
    void avgPoolGradientsOnRandomGeometries() {
        int checked = checkRandomGeometries("AvgPool2d", 24, () -> {
            int kh = draw(1, 4);
            int kw = draw(1, 3);
            return new AvgPool2d(new int[] {kh, kw}, new int[] {draw(1, 3), draw(1, 2)}, new int[] {draw(0, kh / 2), draw(0, kw / 2)},
                    draw(0, 1) == 1, draw(0, 1) == 1);
        });
        assertTrue(checked >= 12, "geometries checked: " + checked);
    }

    @Test
    void adaptiveAvgPoolGradientsOnRandomSizes() {
        int checked = checkRandomGeometries("AdaptiveAvgPool2d", 12, () -> new AdaptiveAvgPool2d(draw(1, 6), draw(1, 6)));
        assertEquals(12, checked);
    }

    @Test
    void theFunctionalFormsAreTheLayers() {
        Tensor x = view(2, 3, 7, 6, true);
        assertTrue(Pooling.maxPool2d(x, 2).data().allClose(new MaxPool2d(2).forward(x).data(), 0, 0));
        assertTrue(Pooling.maxPool2d(x, new int[] {3, 2}, null, new int[] {1, 0}, new int[] {1}, true).data()
                .allClose(new MaxPool2d(new int[] {3, 2}, new int[] {3, 2}, new int[] {1, 0}, new int[] {1, 1}, true).forward(x).data(), 0, 0));
        assertTrue(Pooling.avgPool2d(x, 3).data().allClose(new AvgPool2d(3, 3).forward(x).data(), 0, 0));
        assertArrayEquals(new int[] {2, 3, 1, 1}, Pooling.adaptiveAvgPool2d(x, 1, 1).shape());
        // global average pooling is the mean over H and W
        assertTrue(Pooling.adaptiveAvgPool2d(x, 1, 1).data().reshape(2, 3).allClose(x.data().mean(new int[] {2, 3}, false), 1e-14, 1e-14));
    }

    @Test
    void batchNorm2dGradientsInTrainingAndEvaluation() {
        BatchNorm2d bn = new BatchNorm2d(3, 1e-5, 0.1, true, true, DType.FLOAT64);
        Init.normal(bn.weight(), 1, 0.5, g);
        Init.normal(bn.bias(), 0, 0.5, g);
        for (boolean transposed : new boolean[] {true, false}) {
            Tensor x = view(3, 3, 4, 3, transposed);
            check("BatchNorm2d training", in -> bn.forward(in[0]), x, bn.weight(), bn.bias());
            checkSecondOrder("BatchNorm2d training", in -> bn.forward(in[0]).tanh(), x, bn.weight(), bn.bias());
        }
        BatchNorm2d plain = new BatchNorm2d(2, 1e-3, null, false, true, DType.FLOAT64);
        check("BatchNorm2d training, not affine", in -> plain.forward(in[0]), view(2, 2, 3, 3, true));
        checkSecondOrder("BatchNorm2d training, not affine", in -> plain.forward(in[0]).tanh(), view(2, 2, 2, 3, false));
        // the recorded (differentiable) backward gives the fused backward's values
        Tensor x = view(4, 3, 5, 4, true);
        Tensor weights = Tensor.randn(DType.FLOAT64, g, 4, 3, 5, 4);
        Tensor[] leaves = {x, bn.weight(), bn.bias()};
        Tensor[] recorded = Autograd.grad(new Tensor[] {bn.forward(x)}, leaves, new Tensor[] {weights}, true, false);
        Tensor[] fused = Autograd.grad(new Tensor[] {bn.forward(x)}, leaves, new Tensor[] {weights}, false, false);
        for (int i = 0; i < leaves.length; i++) {
            assertTrue(recorded[i].data().allClose(fused[i].data(), 1e-12, 1e-12), "BatchNorm2d recorded backward, gradient " + i);
        }
        bn.eval();
        check("BatchNorm2d eval", in -> bn.forward(in[0]), view(2, 3, 3, 2, false), bn.weight(), bn.bias());
        BatchNorm2d untracked = new BatchNorm2d(3, 1e-5, 0.1, true, false, DType.FLOAT64);
        untracked.eval();
        Tensor y = untracked.forward(view(3, 3, 2, 2, true));
        // without running statistics evaluation normalizes with the batch's own: every channel has mean 0
        assertTrue(y.data().mean(new int[] {0, 2, 3}, false).abs().max().item() < 1e-12);
    }

    @Test
    void batchNorm2dStateDictHasPyTorchsNames() {
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                new ArrayList<>(new BatchNorm2d(4).stateDict().keySet()));
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"),
                new ArrayList<>(new BatchNorm2d(4, 1e-5, 0.1, false, true).stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), new ArrayList<>(new BatchNorm2d(4, 1e-5, 0.1, true, false).stateDict().keySet()));
        Sequential model = new Sequential(new MaxPool2d(2), new BatchNorm2d(4));
        assertTrue(model.stateDict().containsKey("1.running_var"), model.stateDict().keySet().toString());
        assertEquals(DType.INT32, new BatchNorm2d(4).stateDict().get("num_batches_tracked").dtype());
    }

    @Test
    void dropout2dZeroesWholeChannelsFromASeededGenerator() {
        Tensor x = Tensor.of(NDArray.rand(DType.FLOAT64, g, 40, 50, 3, 4).add(1)).requiresGrad(true);
        Tensor y = new Dropout2d(0.3, new Generator(11)).forward(x);
        double[] ratio = y.data().div(x.data()).toDoubleArray();
        int dropped = 0;
        for (int channel = 0; channel < 40 * 50; channel++) {
            double first = ratio[channel * 12];
            assertTrue(first == 0 || Math.abs(first - 1 / 0.7) < 1e-12, "scale " + first);
            for (int k = 1; k < 12; k++) {
                assertEquals(first, ratio[channel * 12 + k], 1e-12, "channel " + channel + " is dropped as a whole");
            }
            dropped += first == 0 ? 1 : 0;
        }
        assertEquals(0.3, dropped / 2000.0, 0.04);
        assertArrayEquals(y.data().toDoubleArray(), new Dropout2d(0.3, new Generator(11)).forward(x).data().toDoubleArray(), 0);
        y.sum().backward();
        assertArrayEquals(ratio, x.grad().data().toDoubleArray(), 1e-12);
        Dropout2d dropout = new Dropout2d(0.5);
        dropout.eval();
        assertSame(x, dropout.forward(x));
        assertEquals(0.5, new Dropout2d().p());
    }

    private static void assertRefused(String what, Runnable action, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run, what);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), what + ": '" + fragment + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void badArgumentsAreRefusedNamingTheLayerTheShapeAndTheExpectation() {
        Tensor image = Tensor.zeros(2, 3, 4, 4);
        Tensor unbatched = Tensor.zeros(3, 8, 8);
        assertRefused("3-d MaxPool2d input", () -> new MaxPool2d(2).forward(unbatched), "MaxPool2d", "[3, 8, 8]", "4-d input [N, C, H, W]");
        assertRefused("3-d AvgPool2d input", () -> new AvgPool2d(2).forward(unbatched), "AvgPool2d", "[3, 8, 8]", "4-d");
        assertRefused("3-d AdaptiveAvgPool2d input", () -> new AdaptiveAvgPool2d(2).forward(unbatched), "AdaptiveAvgPool2d", "[3, 8, 8]");
        assertRefused("3-d BatchNorm2d input", () -> new BatchNorm2d(3).forward(unbatched), "BatchNorm2d", "[3, 8, 8]",
                "4-d input [N, 3, H, W]");
        assertRefused("BatchNorm2d channels", () -> new BatchNorm2d(4).forward(image), "BatchNorm2d", "[2, 3, 4, 4]",
                "expected 4 channels");
        assertRefused("3-d Dropout2d input", () -> new Dropout2d(0.1).forward(unbatched), "Dropout2d", "[3, 8, 8]");
        assertRefused("kernel larger than the padded input", () -> new MaxPool2d(7, 1, 1).forward(image), "MaxPool2d", "[2, 3, 4, 4]",
                "padded to 6x6", "smaller than the kernel");
        assertRefused("AvgPool2d kernel larger than the input", () -> new AvgPool2d(new int[] {2, 5}, null, new int[] {0}, false, true)
                .forward(image), "AvgPool2d", "[2, 3, 4, 4]", "would be 2x0");
        assertRefused("a window of padding only", () -> new MaxPool2d(new int[] {2}, new int[] {1}, new int[] {1}, new int[] {2}, false)
                .forward(Tensor.zeros(1, 1, 1, 3)), "MaxPool2d", "[1, 1, 1, 3]", "padding only");
        assertRefused("adaptive output size 0", () -> new AdaptiveAvgPool2d(0, 3), "AdaptiveAvgPool2d", "[0, 3]", "positive");
        assertRefused("negative adaptive output size", () -> new AdaptiveAvgPool2d(-2), "AdaptiveAvgPool2d", "[-2]", "positive");
        assertRefused("MaxPool2d padding", () -> new MaxPool2d(3, 1, 2), "MaxPool2d", "padding 2x2", "kernel 3x3",
                "expected padding <= kernel / 2");
        assertRefused("AvgPool2d padding", () -> new AvgPool2d(new int[] {4, 2}, null, new int[] {2, 2}, false, true), "AvgPool2d",
                "padding 2x2", "kernel 4x2");
        assertRefused("zero kernel", () -> new MaxPool2d(0), "MaxPool2d", "kernel size", "at least 1");
        assertRefused("zero stride", () -> new AvgPool2d(2, 0), "AvgPool2d", "stride", "at least 1");
        assertRefused("three sizes", () -> new MaxPool2d(new int[] {1, 2, 3}, null, new int[] {0}, new int[] {1}, false), "MaxPool2d",
                "(H, W) pair");
        assertRefused("BatchNorm2d one value per channel", () -> new BatchNorm2d(3).forward(Tensor.zeros(1, 3, 1, 1)), "BatchNorm2d",
                "[1, 3, 1, 1]", "more than 1 value per channel");
        assertRefused("BatchNorm2d features", () -> new BatchNorm2d(0), "BatchNorm2d", "numFeatures");
        assertRefused("Dropout2d p", () -> new Dropout2d(1.0), "Dropout2d", "[0, 1)");
    }
}
