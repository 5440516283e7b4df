package dev.descent.optim.leastsquares;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.QR;
import dev.descent.core.linalg.SingularMatrixException;
import dev.descent.optim.Fixtures;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ResidualClosure;
import dev.descent.optim.secondorder.Newton;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastSquaresTest {

    private static JsonNode problem(String name) {
        for (JsonNode p : Fixtures.load("nist_strd.json", "tools/nist_strd.py").get("problems")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void gaussNewtonAndLevenbergAlsoReachTheCertifiedMisra1aFit() {
        JsonNode misra = problem("Misra1a");
        double[] certified = Fixtures.doubles(misra.get("certified"));
        Tensor x = Tensor.of(NDArray.of(Fixtures.doubles(misra.get("x")), misra.get("x").size()));
        Tensor y = Tensor.of(NDArray.of(Fixtures.doubles(misra.get("y")), misra.get("y").size()));
        double[] start = Fixtures.doubles(misra.get("start2"));
        for (String method : new String[] {"GaussNewton", "Levenberg"}) {
            Tensor b1 = Tensor.scalar(DType.FLOAT64, start[0]).requiresGrad(true);
            Tensor b2 = Tensor.scalar(DType.FLOAT64, start[1]).requiresGrad(true);
            List<Tensor> params = List.of(b1, b2);
            Optimizer solver = method.equals("GaussNewton") ? new GaussNewton(params, GaussNewton.options())
                    : new Levenberg(params, Levenberg.options().maxEvaluations(20000));
            LeastSquaresResult result = solve(solver, () -> b1.mul(b2.mul(x).neg().exp().neg().add(1)).sub(y));
            assertTrue(result.converged(), method + ": " + result.stopReason());
            assertEquals(certified[0], b1.item(), 1e-6 * certified[0], method + " writes the solution into the parameters");
            assertEquals(certified[1], result.parameters()[1], 1e-6 * certified[1], method);
        }
    }

    @Test
    void aLinearModelIsSolvedInOneGaussNewtonStepMatchingQR() {
        // r = A b - y is linear: one Gauss-Newton step lands on the least-squares solution.
        NDArray a = NDArray.of(new double[] {1, 0.5, 1, 1.5, 1, 2.0, 1, 3.5, 1, 4.0}, 5, 2);
        double[] observed = {1.1, 2.3, 2.8, 5.2, 5.9};
        Tensor design = Tensor.of(a);
        Tensor y = Tensor.of(NDArray.of(observed, 5));
        Tensor b = Tensor.zeros(2).astype(DType.FLOAT64).requiresGrad(true);
        LeastSquaresResult result = solve(new GaussNewton(List.of(b), GaussNewton.options()), () -> design.matmul(b).sub(y));
        double[] expected = QR.factor(a).leastSquares(observed);
        assertEquals(expected[0], result.parameters()[0], 1e-12);
        assertEquals(expected[1], result.parameters()[1], 1e-12);
        assertTrue(result.evaluations() <= 3, "linear: " + result.evaluations() + " evaluations");
    }

    @Test
    void standardErrorsFollowTheLinearRegressionClosedForm() {
        // For a straight line, se(slope) = s / sqrt(sum (x - mean)^2) with s^2 = rss / (m - 2).
        double[] xs = {1, 2, 3, 4, 5, 6};
        double[] ys = {2.1, 3.9, 6.2, 7.8, 10.1, 12.2};
        Tensor x = Tensor.of(NDArray.of(xs, 6));
        Tensor y = Tensor.of(NDArray.of(ys, 6));
        Tensor intercept = Tensor.scalar(DType.FLOAT64, 0).requiresGrad(true);
        Tensor slope = Tensor.scalar(DType.FLOAT64, 1).requiresGrad(true);
        LeastSquaresResult result = solve(new LevenbergMarquardt(List.of(intercept, slope), LevenbergMarquardt.options()),
                () -> x.mul(slope).add(intercept).sub(y));
        double mean = 3.5;
        double sxx = 0;
        for (double v : xs) {
            sxx += (v - mean) * (v - mean);
        }
        double s = Math.sqrt(result.residualSumOfSquares() / 4);
        assertEquals(s / Math.sqrt(sxx), result.standardErrors()[1], 1e-9);
        assertEquals(s * Math.sqrt(1.0 / 6 + mean * mean / sxx), result.standardErrors()[0], 1e-9);
    }

    @Test
    void badProblemsAreClearErrors() {
        Tensor b = Tensor.of(new double[] {1, 1}, 2).requiresGrad(true);
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        // Both parameters enter only as their sum: the Jacobian has rank 1.
        SingularMatrixException e = assertThrows(SingularMatrixException.class,
                () -> solve(new GaussNewton(List.of(b), GaussNewton.options()), () -> x.mul(b.sum()).sub(x.mul(3))));
        assertTrue(e.getMessage().contains("rank deficient") && e.getMessage().contains("LevenbergMarquardt"), e.getMessage());
        // Levenberg-Marquardt copes with the same problem.
        LeastSquaresResult damped = solve(new LevenbergMarquardt(List.of(b), LevenbergMarquardt.options()), () -> x.mul(b.sum()).sub(x.mul(3)));
        assertEquals(3.0, b.sum().item(), 1e-9);
        assertTrue(damped.converged());
        Tensor frozen = Tensor.of(new double[] {1}, 1);
        assertThrows(IllegalArgumentException.class, () -> new LevenbergMarquardt(List.of(frozen), LevenbergMarquardt.options()));
        assertThrows(IllegalArgumentException.class, () -> LevenbergMarquardt.options().ftol(-1));
        // a closure that differentiates, as a loss closure does, is refused by name
        IllegalArgumentException differentiated = assertThrows(IllegalArgumentException.class,
                () -> new LevenbergMarquardt(List.of(b), LevenbergMarquardt.options()).step(() -> {
                    Tensor loss = x.mul(b.sum()).sub(x.mul(3)).square().sum();
                    loss.backward();
                    return loss;
                }));
        assertTrue(differentiated.getMessage().startsWith("LevenbergMarquardt: the closure called backward()"), differentiated.getMessage());
    }

    /** One step of a least-squares optimizer (a whole solve with the default budgets) and the fit it leaves. */
    static LeastSquaresResult solve(Optimizer optimizer, ResidualClosure residuals) {
        optimizer.step(residuals);
        return LeastSquaresResult.of(optimizer, residuals);
    }
}
