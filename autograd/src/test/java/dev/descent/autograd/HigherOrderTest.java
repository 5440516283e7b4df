package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

class HigherOrderTest {
    private final Generator g = new Generator(77);

    @Test
    void hessianOfAQuadraticFormIsASymmetrizedMatrix() {
        NDArray a = NDArray.randn(DType.FLOAT64, g, 4, 4);
        Tensor matrix = Tensor.of(a);
        Tensor x = Tensor.randn(DType.FLOAT64, g, 4);
        Tensor hessian = Autograd.hessian(v -> v.matmul(matrix).matmul(v), x);
        assertArrayEquals(new int[] {4, 4}, hessian.shape());
        assertTrue(hessian.data().allClose(a.add(a.t()), 1e-12, 1e-12), hessian.toString());
    }

    @Test
    void hessianOfRosenbrockMatchesItsAnalyticFormula() {
        double[][] points = {{0, 0}, {1, 1}, {-1.2, 1}, {0.5, -0.3}, {2, 3.5}};
        for (double[] p : points) {
            Tensor x = Tensor.of(NDArray.of(p));
            Tensor hessian = Autograd.hessian(HigherOrderTest::rosenbrock, x);
            double u = p[0];
            double w = p[1];
            double[] expected = {1200 * u * u - 400 * w + 2, -400 * u, -400 * u, 200};
            assertArrayEquals(expected, hessian.data().toDoubleArray(), 1e-9, "at " + u + ", " + w);
        }
    }

    /** f(u, w) = (1 - u)^2 + 100 (w - u^2)^2. */
    private static Tensor rosenbrock(Tensor x) {
        Tensor u = x.select(0, 0);
        Tensor w = x.select(0, 1);
        return u.neg().add(1).square().add(w.sub(u.square()).square().mul(100));
    }

    @Test
    void hessianVectorProductEqualsHessianTimesVectorOnAnMlpLoss() {
        // a 3-4-2 tanh network on 5 samples, its 26 parameters packed in one vector
        Tensor inputs = Tensor.randn(DType.FLOAT64, g, 5, 3);
        NDArray labels = NDArray.of(new int[] {0, 1, 1, 0, 1}, 5, 1);
        TensorFunction loss = in -> {
            Tensor theta = in[0];
            Tensor w1 = theta.narrow(0, 0, 12).reshape(3, 4);
            Tensor b1 = theta.narrow(0, 12, 4);
            Tensor w2 = theta.narrow(0, 16, 8).reshape(4, 2);
            Tensor b2 = theta.narrow(0, 24, 2);
            Tensor logits = inputs.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
            return logits.logSoftmax(1).gather(1, labels).mean().neg();
        };
        Tensor theta = Tensor.randn(DType.FLOAT64, g, 26).mul(0.5).detach().requiresGrad(true);
        Tensor v = Tensor.randn(DType.FLOAT64, g, 26);
        Tensor[] hv = Autograd.hvp(loss, new Tensor[] {theta}, new Tensor[] {v});
        Tensor hessian = Autograd.hessian(t -> loss.apply(t), theta);
        NDArray expected = hessian.data().matmul(v.data());
        assertTrue(hv[0].data().allClose(expected, 1e-10, 1e-12), hv[0] + " vs " + expected);
        assertTrue(hessian.data().allClose(hessian.data().t(), 1e-10, 1e-12), "the Hessian must be symmetric");
        assertNull(theta.grad(), "the functional API leaves .grad alone");
        assertTrue(GradCheck.checkSecondOrder(loss, theta).passed());
    }

    @Test
    void jacobianOfAnAffineMapWithTanhIsItsClosedForm() {
        NDArray a = NDArray.randn(DType.FLOAT64, g, 3, 4);
        Tensor x = Tensor.randn(DType.FLOAT64, g, 4);
        Tensor jacobian = Autograd.jacobian(v -> Tensor.of(a).matmul(v.tanh()), x);
        NDArray derivative = x.data().tanh().square().neg().add(1);      // 1 - tanh^2
        NDArray expected = a.mul(derivative);                            // A diag(1 - tanh^2 x)
        assertArrayEquals(new int[] {3, 4}, jacobian.shape());
        assertTrue(jacobian.data().allClose(expected, 1e-12, 1e-12));
        Tensor matrixInput = Tensor.randn(DType.FLOAT64, g, 2, 2);
        assertArrayEquals(new int[] {2, 2, 2, 2}, Autograd.jacobian(m -> m.exp(), matrixInput).shape());
    }

    @Test
    void createGraphMakesGradientsDifferentiable() {
        Tensor x = Tensor.of(NDArray.of(new double[] {1.5, -2})).requiresGrad(true);
        Tensor first = Autograd.grad(new Tensor[] {x.pow(3).sum()}, new Tensor[] {x}, null, true, true)[0];
        assertArrayEquals(new double[] {3 * 2.25, 3 * 4}, first.data().toDoubleArray(), 1e-12);
        assertTrue(first.requiresGrad());
        Tensor second = Autograd.grad(first.sum(), x);
        assertArrayEquals(new double[] {9, -12}, second.data().toDoubleArray(), 1e-12);

    }

    @Test
    void backwardWithCreateGraphLeavesADifferentiableGrad() {
        Tensor x = Tensor.of(NDArray.of(new double[] {0.7})).requiresGrad(true);
        x.exp().mul(x).backward(Tensor.of(NDArray.of(new double[] {1})), false, true);
        Tensor dx = x.grad();                         // (1 + x) e^x
        assertTrue(dx.requiresGrad());
        assertEquals(1.7 * Math.exp(0.7), dx.item(), 1e-12);
        Tensor ddx = Autograd.grad(dx.sum(), x);      // (2 + x) e^x
        assertEquals(2.7 * Math.exp(0.7), ddx.item(), 1e-12);
    }

    @Test
    void gradGivesZerosForUnusedInputsAndChecksItsArguments() {
        Tensor x = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true);
        Tensor unused = Tensor.ones(DType.FLOAT64, 3).requiresGrad(true);
        Tensor[] grads = Autograd.grad(new Tensor[] {x.sum()}, new Tensor[] {x, unused}, null, false, false);
        assertArrayEquals(new double[] {1, 1}, grads[0].data().toDoubleArray(), 0);
        assertArrayEquals(new double[] {0, 0, 0}, grads[1].data().toDoubleArray(), 0);
        IllegalArgumentException constant = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(new Tensor[] {x.sum()}, new Tensor[] {Tensor.ones(2)}, null, false, false));
        assertEquals("Autograd.grad: input 0 does not require grad", constant.getMessage());
        IllegalArgumentException vector = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[] {x}, null, false, false));
        assertTrue(vector.getMessage().contains("a gradOutput is needed"), vector.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Autograd.hvp(in -> in[0].sum(), new Tensor[] {x}, new Tensor[] {Tensor.ones(DType.FLOAT64, 3)}));
        assertThrows(IllegalArgumentException.class, () -> Autograd.hessian(v -> v.mul(2), x));
    }
}
