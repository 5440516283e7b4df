package dev.descent.core.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IterativeSolverTest {

    @Test
    void conjugateGradientSolvesSymmetricPositiveDefiniteSystemsToTheTolerance() {
        Generator g = new Generator(21);
        for (int n : new int[] {1, 5, 20, 50}) {
            for (double condition : new double[] {1, 1e2, 1e5}) {
                NDArray a = RandomMatrices.symmetricPositiveDefinite(g, n, condition);
                double[] b = RandomMatrices.vector(g, n);
                IterativeResult r = ConjugateGradient.solve(a, b, ConjugateGradient.options().tolerance(1e-10));
                assertTrue(r.converged(), "n=" + n + " cond=" + condition + ": " + r.reason());
                double[] truth = Cholesky.factor(a).solve(b);
                double residual = Vectors.norm(residual(a, r.solution(), b));
                assertTrue(residual <= 1e-10 * Vectors.norm(b) * 1.0001, "reported tolerance holds: " + residual);
                assertEquals(residual, r.residualNorm(), 1e-8 * Vectors.norm(b), "the reported residual is the true one");
                for (int i = 0; i < n; i++) {
                    assertEquals(truth[i], r.solution()[i], 1e-9 * condition * Math.max(1, Math.abs(truth[i])));
                }
            }
        }
    }

    @Test
    void conjugateGradientNeedsAtMostAsManyStepsAsDistinctEigenvalues() {
        // With k distinct eigenvalues CG is exact after k steps (in exact arithmetic).
        Generator g = new Generator(22);
        int n = 40;
        NDArray q = RandomMatrices.orthonormal(g, n, n);
        double[] spectrum = new double[n];
        for (int i = 0; i < n; i++) {
            spectrum[i] = 1 + i % 3;
        }
        NDArray a = q.mul(NDArray.of(spectrum, n)).matmul(q.t());
        a = a.add(a.t()).mul(0.5);
        IterativeResult r = ConjugateGradient.solve(a, RandomMatrices.vector(g, n), ConjugateGradient.options().tolerance(1e-10));
        assertTrue(r.converged());
        assertTrue(r.iterations() <= 4, "3 distinct eigenvalues, took " + r.iterations());
    }

    @Test
    void jacobiPreconditioningFixesABadlyScaledDiagonal() {
        Generator g = new Generator(23);
        int n = 60;
        NDArray base = RandomMatrices.symmetricPositiveDefinite(g, n, 10);
        double[] scale = new double[n];
        for (int i = 0; i < n; i++) {
            scale[i] = Math.pow(10, 3.0 * i / (n - 1));
        }
        NDArray d = NDArray.of(scale, n);
        NDArray a = base.mul(d).mul(d.reshape(n, 1)); // D A D: condition ~1e6 from the scaling alone
        double[] b = RandomMatrices.vector(g, n);
        IterativeResult plain = ConjugateGradient.solve(a, b, ConjugateGradient.options().tolerance(1e-8).maxIterations(2000));
        IterativeResult preconditioned = ConjugateGradient.solveJacobiPreconditioned(a, b, ConjugateGradient.options().tolerance(1e-8));
        assertTrue(preconditioned.converged());
        assertTrue(preconditioned.iterations() * 2 < plain.iterations(),
                "Jacobi " + preconditioned.iterations() + " vs plain " + plain.iterations());
    }

    @Test
    void conjugateGradientRunsOnAMatrixFreeOperatorAndStopsOnNegativeCurvature() {
        int n = 30;
        AtomicInteger products = new AtomicInteger();
        // The 1-D Laplacian tridiag(-1, 2, -1), never stored.
        LinearOperator laplacian = v -> {
            products.incrementAndGet();
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = 2 * v[i] - (i > 0 ? v[i - 1] : 0) - (i < v.length - 1 ? v[i + 1] : 0);
            }
            return out;
        };
        double[] b = new double[n];
        java.util.Arrays.fill(b, 1);
        IterativeResult r = ConjugateGradient.solve(laplacian, b, ConjugateGradient.options());
        assertTrue(r.converged());
        for (int i = 0; i < n; i++) {
            double closedForm = (i + 1) * (n - i) / 2.0; // u_i = i (n + 1 - i) / 2 with 1-based i
            assertEquals(closedForm, r.solution()[i], 1e-8 * closedForm);
        }
        assertTrue(products.get() <= n + 1, "one product per iteration: " + products.get());

        NDArray indefinite = NDArray.of(new double[] {1, 0, 0, -1}, 2, 2);
        IterativeResult negative = ConjugateGradient.solve(indefinite, new double[] {1, 1}, ConjugateGradient.options());
        assertEquals(IterativeResult.Reason.NEGATIVE_CURVATURE, negative.reason());
        assertTrue(Double.isFinite(negative.residualNorm()));
        assertThrows(IllegalArgumentException.class, () -> ConjugateGradient.options().jacobi(new double[] {1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> ConjugateGradient.solve(v -> new double[1], new double[] {1, 2}, ConjugateGradient.options()));
    }

    @Test
    void capAndStartAreHonoured() {
        Generator g = new Generator(24);
        NDArray a = RandomMatrices.symmetricPositiveDefinite(g, 30, 1e4);
        double[] b = RandomMatrices.vector(g, 30);
        IterativeResult capped = ConjugateGradient.solve(a, b, ConjugateGradient.options().maxIterations(3));
        assertEquals(IterativeResult.Reason.MAX_ITERATIONS, capped.reason());
        assertEquals(3, capped.iterations());
        double[] exact = Cholesky.factor(a).solve(b);
        IterativeResult warm = ConjugateGradient.solve(a, b, ConjugateGradient.options().start(exact).tolerance(1e-8));
        assertEquals(0, warm.iterations(), "starting at the solution needs no iteration");
    }

    @Test
    void jacobiAndGaussSeidelConvergeOnDiagonallyDominantMatricesGaussSeidelFaster() {
        Generator g = new Generator(25);
        int n = 25;
        NDArray a = NDArray.randn(DType.FLOAT64, g, n, n);
        double[] rows = a.abs().sum(1).toDoubleArray();
        double[] diagonal = new double[n];
        for (int i = 0; i < n; i++) {
            diagonal[i] = 1.5 * rows[i];
        }
        a = a.add(NDArray.eye(DType.FLOAT64, n).mul(NDArray.of(diagonal, n)));
        double[] b = RandomMatrices.vector(g, n);
        IterativeResult jacobi = StationaryIteration.jacobi(a, b, 1e-10, 10_000);
        IterativeResult seidel = StationaryIteration.gaussSeidel(a, b, 1e-10, 10_000);
        double[] truth = LU.factor(a).solve(b);
        for (IterativeResult r : new IterativeResult[] {jacobi, seidel}) {
            assertTrue(r.converged());
            for (int i = 0; i < n; i++) {
                assertEquals(truth[i], r.solution()[i], 1e-8);
            }
        }
        assertTrue(seidel.iterations() < jacobi.iterations(), "Gauss-Seidel " + seidel.iterations() + " vs Jacobi " + jacobi.iterations());
    }

    @Test
    void stationaryIterationsReportDivergenceAndRefuseAZeroDiagonal() {
        NDArray notDominant = NDArray.of(new double[] {1, 3, 3, 1}, 2, 2);
        IterativeResult r = StationaryIteration.jacobi(notDominant, new double[] {1, 1}, 1e-10, 1000);
        assertEquals(IterativeResult.Reason.DIVERGED, r.reason());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StationaryIteration.gaussSeidel(NDArray.of(new double[] {0, 1, 1, 0}, 2, 2), new double[] {1, 1}, 1e-10, 10));
        assertTrue(e.getMessage().contains("diagonal entry 0 is zero"), e.getMessage());
    }

    private static double[] residual(NDArray a, double[] x, double[] b) {
        double[] ax = a.matmul(NDArray.of(x, x.length)).toDoubleArray();
        for (int i = 0; i < b.length; i++) {
            ax[i] = b[i] - ax[i];
        }
        return ax;
    }
}
