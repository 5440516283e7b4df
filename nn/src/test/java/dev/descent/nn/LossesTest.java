package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
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

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void bceWithLogitsGradientIsSigmoidMinusTargetAtZeroToo() {
        double[] z = {50, -50, 100, -800, 800, 0};
        double[] y = {1, 0, 0, 1, 0, 0.5};
        Tensor logits = Tensor.of(NDArray.of(z, 2, 3)).requiresGrad(true);
        Tensor loss = Losses.binaryCrossEntropyWithLogits(logits, Tensor.of(NDArray.of(y, 2, 3)), null, Reduction.MEAN);
        assertEquals((1700 + Math.log(2)) / 6, loss.item(), 1e-12);
        loss.backward();
        double[] grad = logits.grad().data().toDoubleArray();
        // PyTorch: (sigmoid(0) - 0.5) / 6 = 0, where the abs/relu pieces gave 0.5 / 6
        assertEquals(0.0, grad[5], 0);
        for (int i = 0; i < z.length; i++) {
            assertEquals((sigmoid(z[i]) - y[i]) / 6, grad[i], 1e-16, "element " + i);
        }
    }

    @Test
    void bceWithLogitsSoftTargetsAtZero() {
        double[] y = {0, 0.25, 0.5, 0.75, 1};
        double[] p = {2, 3, 0.5, 1.5, 4};
        for (boolean weighted : new boolean[] {false, true}) {
            Tensor logits = Tensor.zeros(DType.FLOAT64, 5).requiresGrad(true);
            Tensor target = Tensor.of(NDArray.of(y)).requiresGrad(true);
            Losses.binaryCrossEntropyWithLogits(logits, target, weighted ? NDArray.of(p) : null, Reduction.SUM).backward();
            double[] gradLogits = logits.grad().data().toDoubleArray();
            double[] gradTarget = target.grad().data().toDoubleArray();
            for (int i = 0; i < y.length; i++) {
                double pw = weighted ? p[i] : 1;
                // d/dz -(p y log s + (1 - y) log(1 - s)) = (p y + 1 - y) s - p y, s = 1/2 at z = 0
                assertEquals((pw * y[i] + 1 - y[i]) * 0.5 - pw * y[i], gradLogits[i], 0, "dz, weighted " + weighted + ", " + i);
                // d/dy = -z + (p - 1) softplus(-z) = (p - 1) log 2 at z = 0
                assertEquals((pw - 1) * Math.log(2), gradTarget[i], 1e-15, "dy, weighted " + weighted + ", " + i);
            }
            // the second derivative in z is (p y + 1 - y) s (1 - s) = (p y + 1 - y) / 4 at z = 0
            Tensor z = Tensor.zeros(DType.FLOAT64, 5).requiresGrad(true);
            Tensor loss = Losses.binaryCrossEntropyWithLogits(z, Tensor.of(NDArray.of(y)), weighted ? NDArray.of(p) : null, Reduction.SUM);
            Tensor first = Autograd.grad(new Tensor[] {loss}, new Tensor[] {z}, null, true, false)[0];
            Tensor second = Autograd.grad(new Tensor[] {first.sum()}, new Tensor[] {z}, null, false, false)[0];
            for (int i = 0; i < y.length; i++) {
                double pw = weighted ? p[i] : 1;
                assertEquals((pw * y[i] + 1 - y[i]) / 4, second.data().toDoubleArray()[i], 1e-15, "d2z, weighted " + weighted + ", " + i);
            }
        }
    }

    @Test
    void bceWithLogitsIsFiniteForExtremeLogits() {
        double[] z = {-800, 800, -800, 800};
        double[] y = {0, 1, 1, 0};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (NDArray weight : new NDArray[] {null, NDArray.of(new double[] {2.5})}) {
                Tensor logits = Tensor.of(NDArray.of(z).astype(dtype)).requiresGrad(true);
                Tensor target = Tensor.of(NDArray.of(y).astype(dtype)).requiresGrad(true);
                Tensor loss = Losses.binaryCrossEntropyWithLogits(logits, target, weight, Reduction.SUM);
                double pw = weight == null ? 1 : 2.5;
                assertEquals(800 + 800 * pw, loss.item(), 1e-9, dtype + ", weight " + weight);
                Tensor[] grads = Autograd.grad(new Tensor[] {loss}, new Tensor[] {logits, target}, null, true, false);
                // (p y + 1 - y) s - p y with s = 0 or 1
                assertArrayEquals(new double[] {0, 0, -pw, 1}, grads[0].data().toDoubleArray(), 0, dtype + ", weight " + weight);
                // -z + (p - 1) softplus(-z), softplus(-z) = 800 or 0
                assertArrayEquals(new double[] {800 + (pw - 1) * 800, -800, 800 + (pw - 1) * 800, -800},
                        grads[1].data().toDoubleArray(), 1e-9, dtype + ", weight " + weight);
                Tensor[] second = Autograd.grad(new Tensor[] {grads[0].sum().add(grads[1].sum())}, new Tensor[] {logits, target},
                        null, false, false);
                for (Tensor t : second) {
                    for (double v : t.data().toDoubleArray()) {
                        assertTrue(Double.isFinite(v), dtype + ", weight " + weight + ": " + t);
                    }
                }
            }
        }
    }

    @Test
    void bceWithLogitsValuesAreThoseOfTheStableFormula() {
        Generator g = new Generator(3);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor logits = Tensor.of(NDArray.randn(DType.FLOAT64, g, 4, 5).mul(30).astype(dtype));
            Tensor target = Tensor.of(NDArray.rand(DType.FLOAT64, g, 4, 5).astype(dtype));
            NDArray weight = NDArray.rand(DType.FLOAT64, g, 5).mul(3);
            Tensor softplusOfMinus = logits.abs().neg().exp().log1p().add(logits.neg().relu());
            Tensor linear = target.neg().add(1).mul(logits);
            Tensor scale = target.mul(Tensor.of(weight.astype(dtype)).sub(1)).add(1);
            assertEquals(linear.add(softplusOfMinus).data(),
                    Losses.binaryCrossEntropyWithLogits(logits, target, null, Reduction.NONE).data(), dtype.toString());
            assertEquals(linear.add(scale.mul(softplusOfMinus)).data(),
                    Losses.binaryCrossEntropyWithLogits(logits, target, weight, Reduction.NONE).data(), dtype + " weighted");
            assertEquals(linear.add(scale.mul(softplusOfMinus)).mean().data(),
                    new BCEWithLogitsLoss().positiveWeight(weight).forward(logits, target).data(), dtype + " module");
        }
    }

    @Test
    void bceWithLogitsGradCheckFirstAndSecondOrder() {
        Generator g = new Generator(11);
        // logits of either sign, at least 0.2 from 0; soft targets; both require grad
        NDArray magnitude = NDArray.rand(DType.FLOAT64, g, 3, 4).mul(4).add(0.2);
        NDArray sign = NDArray.rand(DType.FLOAT64, g, 3, 4).lt(0.5).astype(DType.FLOAT64).mul(2).sub(1);
        Tensor logits = Tensor.of(magnitude.mul(sign)).requiresGrad(true);
        Tensor target = Tensor.of(NDArray.rand(DType.FLOAT64, g, 3, 4)).requiresGrad(true);
        NDArray[] weights = {null, NDArray.of(new double[] {1, 2, 0.5, 3}), NDArray.of(new double[] {4}),
                NDArray.of(new double[] {0.5, 2, 1.5, 3, 1, 2.5, 0.25, 5}, 2, 1, 4)};
        for (NDArray weight : weights) {
            for (Reduction reduction : Reduction.values()) {
                String what = "weight " + (weight == null ? "none" : java.util.Arrays.toString(weight.shape())) + ", " + reduction;
                GradCheck.Result first = GradCheck.check(in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], weight, reduction),
                        logits, target);
                assertTrue(first.passed(), what + ": " + first);
                GradCheck.Result second = GradCheck.checkSecondOrder(
                        in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1], weight, reduction), logits, target);
                assertTrue(second.passed(), what + ", second order: " + second);
            }
        }
    }

    @Test
    void softmaxResidualsAreTheScaledProbabilityErrorsWithFirstAndSecondDerivatives() {
        Generator g = new Generator(21);
        for (int trial = 0; trial < 4; trial++) {
            int n = 1 + g.nextInt(5);
            int classes = 2 + g.nextInt(4);
            NDArray z = NDArray.randn(DType.FLOAT64, g, n, classes).mul(3);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = g.nextInt(classes);
            }
            Tensor targets = Tensor.of(NDArray.of(labels, n));
            double[] r = Losses.softmaxResiduals(Tensor.of(z), targets).data().toDoubleArray();
            double[] logits = z.toDoubleArray();
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, logits[i * classes + c]);
                }
                double total = 0;
                for (int c = 0; c < classes; c++) {
                    total += Math.exp(logits[i * classes + c] - max);
                }
                for (int c = 0; c < classes; c++) {
                    double expected = (Math.exp(logits[i * classes + c] - max) / total - (c == labels[i] ? 1 : 0)) / Math.sqrt(n);
                    assertEquals(expected, r[i * classes + c], 1e-14, "residual [" + i + ", " + c + "]");
                }
            }
            Tensor input = Tensor.of(z).requiresGrad(true);
            GradCheck.Result first = GradCheck.check(in -> Losses.softmaxResiduals(in[0], targets).square().sum(), input);
            assertTrue(first.passed(), first.toString());
            // least-squares methods take J v by differentiating a backward pass: the second order must hold too
            GradCheck.Result second = GradCheck.checkSecondOrder(in -> Losses.softmaxResiduals(in[0], targets).square().sum(), input);
            assertTrue(second.passed(), second.toString());
        }
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Losses.softmaxResiduals(Tensor.zeros(2, 3), Tensor.of(NDArray.of(new int[] {0, 3}, 2))));
        assertTrue(e.getMessage().startsWith("softmaxResiduals: target 3 is out of range for 3 classes"), e.getMessage());
    }
}
