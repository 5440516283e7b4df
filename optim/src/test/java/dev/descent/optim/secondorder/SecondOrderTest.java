package dev.descent.optim.secondorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.QR;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.LossClosure;
import dev.descent.optim.LossFunction;
import dev.descent.optim.StepResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecondOrderTest {

    private static Tensor rosenbrock(Tensor x) {
        return QuasiNewtonTest.rosenbrock(x);
    }

    @Test
    void newtonSolvesLinearRegressionInExactlyOneStep() {
        Generator g = new Generator(31);
        int m = 60;
        NDArray features = NDArray.randn(DType.FLOAT64, g, m, 3);
        NDArray design = NDArray.concat(1, features, NDArray.ones(DType.FLOAT64, m, 1));
        double[] targets = features.matmul(NDArray.of(new double[] {2, -1, 0.5}, 3)).add(NDArray.randn(DType.FLOAT64, g, m).mul(0.1))
                .add(3).toDoubleArray();
        Tensor x = Tensor.of(features);
        Tensor y = Tensor.of(NDArray.of(targets, m));
        Tensor w = Tensor.of(NDArray.randn(DType.FLOAT64, g, 3)).requiresGrad(true);
        Tensor b = Tensor.scalar(DType.FLOAT64, -4).requiresGrad(true);
        LossFunction mse = () -> x.matmul(w).add(b).sub(y).square().mean();
        Newton newton = new Newton(List.of(w, b), Newton.options());
        newton.step(LossClosure.of(newton, mse));
        assertEquals(0.0, newton.damping(), "a positive definite Hessian needs no damping");
        assertEquals(1.0, newton.stepLength(), "the full step is accepted");
        double[] qr = QR.factor(design).leastSquares(targets);
        double[] newtonSolution = {w.data().toDoubleArray()[0], w.data().toDoubleArray()[1], w.data().toDoubleArray()[2], b.item()};
        for (int i = 0; i < 4; i++) {
            assertEquals(qr[i], newtonSolution[i], 1e-10, "coefficient " + i);
        }
    }

    @Test
    void newtonDampsAnIndefiniteHessianIntoADescentStepAndConvergesQuadratically() {
        Tensor x = Tensor.of(new double[] {0, 1}, 2).requiresGrad(true);
        Newton newton = new Newton(List.of(x), Newton.options());
        // At (0, 1) the Hessian is diag(-398, 200): indefinite.
        newton.step(LossClosure.of(newton, () -> rosenbrock(x)));
        StepResult first = newton.lastStep();
        assertTrue(newton.damping() > 398, "damping " + newton.damping() + " must exceed the negative eigenvalue's size");
        assertTrue(first.loss() < first.initialLoss(), "the damped step descends");
        Tensor start = Tensor.of(new double[] {-1.5, 2}, 2).requiresGrad(true);
        Newton fromStart = new Newton(List.of(start), Newton.options());
        int iterations = 0;
        double norm = Double.POSITIVE_INFINITY;
        while (norm > 1e-10 && iterations < 100) {
            fromStart.step(LossClosure.of(fromStart, () -> rosenbrock(start)));
            norm = fromStart.gradientNorm();
            iterations++;
        }
        assertTrue(norm <= 1e-10, "gradient norm " + norm);
        assertTrue(iterations < 40, "Newton took " + iterations + " iterations");
        assertEquals(1.0, start.data().toDoubleArray()[0], 1e-9);
    }

    @Test
    void newtonCGMinimizesWithHessianVectorProductsOnly() {
        Generator g = new Generator(32);
        int n = 30;
        NDArray m = NDArray.randn(DType.FLOAT64, g, n, n);
        NDArray a = m.matmul(m.t()).div(n).add(NDArray.eye(DType.FLOAT64, n).mul(0.1));
        NDArray bArray = NDArray.randn(DType.FLOAT64, g, n);
        Tensor at = Tensor.of(a);
        Tensor bt = Tensor.of(bArray);
        Tensor x = Tensor.zeros(n).astype(DType.FLOAT64).requiresGrad(true);
        LossFunction quadratic = () -> x.matmul(at.matmul(x)).mul(0.5).sub(bt.matmul(x));
        NewtonCG hf = new NewtonCG(List.of(x), NewtonCG.options().damping(1e-3));
        double gradientNorm = Double.POSITIVE_INFINITY;
        int steps = 0;
        for (; steps < 30 && gradientNorm > 1e-8; steps++) {
            hf.step(LossClosure.of(hf, quadratic));
            gradientNorm = hf.gradientNorm();
            assertTrue(hf.hessianProducts() <= 252, "CG is capped: " + hf.hessianProducts());
        }
        assertTrue(gradientNorm <= 1e-8, "gradient norm " + gradientNorm + " after " + steps + " steps");
        double[] expected = dev.descent.core.linalg.Cholesky.factor(a).solve(bArray.toDoubleArray());
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], x.data().toDoubleArray()[i], 1e-6);
        }
        // On Rosenbrock (non-convex) it must still make steady progress from the standard start.
        Tensor r = Tensor.of(new double[] {-1.2, 1}, 2).requiresGrad(true);
        NewtonCG onRosenbrock = new NewtonCG(List.of(r), NewtonCG.options());
        double last = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 200; i++) {
            onRosenbrock.step(LossClosure.of(onRosenbrock, () -> rosenbrock(r)));
            StepResult step = onRosenbrock.lastStep();
            assertTrue(step.loss() <= step.initialLoss(), "never accepts an increase");
            last = step.loss();
        }
        assertTrue(last < 1e-10, "Rosenbrock loss after 200 Hessian-free steps: " + last);
    }

    @Test
    void hessianAnalysisClassifiesCriticalPointsWithClosedFormEigenvalues() {
        Tensor x = Tensor.of(new double[] {1, 1}, 2).requiresGrad(true);
        HessianAnalysis.Report minimum = HessianAnalysis.dense(List.of(x), () -> rosenbrock(x));
        // Hessian at (1, 1) is [[802, -400], [-400, 200]]: eigenvalues 501 -+ sqrt(301^2 + 400^2).
        double root = Math.sqrt(301 * 301 + 400 * 400);
        assertEquals(501 - root, minimum.eigenvalues()[0], 1e-9);
        assertEquals(501 + root, minimum.eigenvalues()[1], 1e-9);
        assertEquals((501 + root) / (501 - root), minimum.conditionNumber(), 1e-6);
        assertEquals(HessianAnalysis.CriticalPoint.MINIMUM, minimum.kind());

        Tensor p = Tensor.of(new double[] {0, 0}, 2).requiresGrad(true);
        LossFunction saddle = () -> p.select(0, 0).square().sub(p.select(0, 1).square().mul(3));
        HessianAnalysis.Report s = HessianAnalysis.dense(List.of(p), saddle);
        assertEquals(HessianAnalysis.CriticalPoint.SADDLE, s.kind());
        assertEquals(-6.0, s.eigenvalues()[0], 1e-12);
        assertEquals(2.0, s.eigenvalues()[1], 1e-12);
        assertEquals(HessianAnalysis.CriticalPoint.MAXIMUM, HessianAnalysis.dense(List.of(p), () -> p.square().sum().neg()).kind());
        assertEquals(HessianAnalysis.CriticalPoint.DEGENERATE, HessianAnalysis.dense(List.of(p), () -> p.select(0, 0).pow(4)).kind());
        Tensor off = Tensor.of(new double[] {0.5, 0}, 2).requiresGrad(true);
        assertEquals(HessianAnalysis.CriticalPoint.NOT_CRITICAL, HessianAnalysis.dense(List.of(off), () -> rosenbrock(off)).kind());
    }

    @Test
    void lanczosFindsTheExtremeEigenvaluesWithoutFormingTheHessian() {
        int n = 200;
        double[] spectrum = new double[n];
        for (int i = 0; i < n; i++) {
            spectrum[i] = 0.01 + i * 0.05; // 0.01 .. 9.96
        }
        spectrum[n - 1] = 25;
        Tensor d = Tensor.of(NDArray.of(spectrum, n));
        Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, new Generator(4), n)).requiresGrad(true);
        double[] ritz = HessianAnalysis.lanczos(List.of(x), () -> x.square().mul(d).sum().mul(0.5), 40, 7);
        assertEquals(25.0, ritz[ritz.length - 1], 1e-8, "the largest eigenvalue");
        assertEquals(40, ritz.length);
        // Ritz values lie inside the spectrum (Cauchy interlacing) and the two ends approach its ends.
        assertTrue(ritz[0] >= 0.01 - 1e-12 && ritz[ritz.length - 2] <= 9.96 + 1e-12, "inside [0.01, 9.96]: " + ritz[0]);
        assertTrue(ritz[ritz.length - 2] > 9.5 && ritz[0] < 0.5, "the ends converge: " + ritz[0] + ", " + ritz[ritz.length - 2]);
    }

    @Test
    void quadraticModelStepIsTheClosedFormOptimalLearningRate() {
        Generator g = new Generator(33);
        int n = 8;
        NDArray m = NDArray.randn(DType.FLOAT64, g, n, n);
        NDArray a = m.matmul(m.t()).add(NDArray.eye(DType.FLOAT64, n));
        Tensor at = Tensor.of(a);
        Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, g, n)).requiresGrad(true);
        LossFunction f = () -> x.matmul(at.matmul(x)).mul(0.5);
        double[] gradient = a.matmul(x.data()).toDoubleArray(); // A x
        double gg = Vectors.dot(gradient, gradient);
        double gag = Vectors.dot(gradient, a.matmul(NDArray.of(gradient, n)).toDoubleArray());
        assertEquals(gg / gag, QuadraticModelStep.alongGradient(List.of(x), f), 1e-12);
        Tensor p = Tensor.of(new double[] {1, 1}, 2).requiresGrad(true);
        assertThrows(ArithmeticException.class, () -> QuadraticModelStep.alongGradient(List.of(p), () -> p.square().sum().neg()));
    }
}
