package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

/** Initializers against the closed forms of their distributions (bounds, standard deviations, orthogonality). */
class InitTest {
    private final Generator g = new Generator(11);

    private static double std(Tensor t) {
        return t.data().astype(DType.FLOAT64).std().item();
    }

    @Test
    void xavierAndKaimingHaveTheirDocumentedSpread() {
        Tensor w = Tensor.zeros(300, 200);
        Init.xavierUniform(w, 1, g);
        double bound = Math.sqrt(6.0 / 500);
        assertTrue(w.data().abs().max().item() <= bound);
        assertEquals(bound / Math.sqrt(3), std(w), 0.01 * bound);
        Init.xavierNormal(w, 2, g);
        assertEquals(2 * Math.sqrt(2.0 / 500), std(w), 0.02 * Math.sqrt(2.0 / 500) * 2);
        Init.kaimingNormal(w, 0, Init.FanMode.FAN_IN, "relu", g);
        assertEquals(Math.sqrt(2.0 / 200), std(w), 0.01 * Math.sqrt(2.0 / 200));
        Init.kaimingUniform(w, 0, Init.FanMode.FAN_OUT, "relu", g);
        double kaimingBound = Math.sqrt(2.0) * Math.sqrt(3.0 / 300);
        assertTrue(w.data().abs().max().item() <= kaimingBound);
        assertEquals(kaimingBound / Math.sqrt(3), std(w), 0.01 * kaimingBound);
        assertEquals(0, w.data().mean().item(), 0.01 * kaimingBound);
    }

    @Test
    void linearStartsAsPyTorchDoes() {
        Linear layer = new Linear(400, 300, true, g);
        double bound = 1 / Math.sqrt(400);
        assertTrue(layer.weight().data().abs().max().item() <= bound);
        assertEquals(bound / Math.sqrt(3), std(layer.weight()), 0.01 * bound);
        assertTrue(layer.bias().data().abs().max().item() <= bound);
        assertTrue(layer.weight().requiresGrad());
    }

    @Test
    void orthogonalGivesOrthonormalRowsOrColumns() {
        Tensor tall = Tensor.zeros(DType.FLOAT64, 7, 4);
        Init.orthogonal(tall, 1, g);
        NDArray q = tall.data();
        assertTrue(q.t().matmul(q).allClose(NDArray.eye(DType.FLOAT64, 4), 1e-12, 1e-12));
        Tensor wide = Tensor.zeros(3, 8);
        Init.orthogonal(wide, 2, g);
        NDArray r = wide.data();
        assertTrue(r.matmul(r.t()).allClose(NDArray.eye(3).mul(4), 1e-5, 1e-5));
    }

    @Test
    void simpleFillsAndGains() {
        Tensor t = Tensor.zeros(DType.FLOAT64, 1000);
        Init.uniform(t, -2, 3, g);
        assertTrue(t.data().min().item() >= -2 && t.data().max().item() < 3);
        Init.normal(t, 5, 0.1, g);
        assertEquals(5, t.data().mean().item(), 0.02);
        Init.constant(t, 0.25);
        assertEquals(250, t.data().sum().item(), 1e-12);
        Init.ones(t);
        Init.zeros(t);
        assertEquals(0, t.data().abs().max().item(), 0);
        assertEquals(5.0 / 3, Init.calculateGain("tanh", Double.NaN), 1e-15);
        assertEquals(Math.sqrt(2), Init.calculateGain("relu", Double.NaN), 1e-15);
        assertEquals(Math.sqrt(2 / 1.0001), Init.calculateGain("leaky_relu", Double.NaN), 1e-15);
        assertEquals(1, Init.calculateGain("sigmoid", Double.NaN), 0);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swishy", 0));
        assertTrue(unknown.getMessage().startsWith("calculateGain: unknown nonlinearity 'swishy'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5), 1, g));
        Init.manualSeed(3);
        NDArray first = new Linear(4, 4).weight().data();
        Init.manualSeed(3);
        assertEquals(first, new Linear(4, 4).weight().data());
    }
}
