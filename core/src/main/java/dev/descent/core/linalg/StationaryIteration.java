package dev.descent.core.linalg;

import dev.descent.core.NDArray;

/**
 * The classical splitting iterations for A x = b, A = D + L + U (diagonal, strictly lower,
 * strictly upper):
 * <pre>
 *   Jacobi:        x&#x207D;&#x1D4F;&#x207A;&sup1;&#x207E; = D&#x207B;&sup1; (b &minus; (L + U) x&#x207D;&#x1D4F;&#x207E;)
 *   Gauss&ndash;Seidel:  x&#x207D;&#x1D4F;&#x207A;&sup1;&#x207E; = (D + L)&#x207B;&sup1; (b &minus; U x&#x207D;&#x1D4F;&#x207E;)   (new entries used as soon as computed)
 * </pre>
 * Both converge for strictly diagonally dominant A; Gauss&ndash;Seidel also for symmetric positive
 * definite A. They stop when &Vert;b &minus; A x&Vert; &le; tolerance &middot; &Vert;b&Vert;, at the
 * iteration cap, or when the residual grows past 1e10 times its start (diverged).
 *
 * <pre>{@code
 * IterativeResult r = StationaryIteration.gaussSeidel(a, b, 1e-10, 1000);
 * }</pre>
 */
public final class StationaryIteration {
    private StationaryIteration() {
    }

    public static IterativeResult jacobi(NDArray matrix, double[] b, double tolerance, int maxIterations) {
        return iterate("StationaryIteration.jacobi", matrix, b, tolerance, maxIterations, false);
    }

    public static IterativeResult gaussSeidel(NDArray matrix, double[] b, double tolerance, int maxIterations) {
        return iterate("StationaryIteration.gaussSeidel", matrix, b, tolerance, maxIterations, true);
    }

    private static IterativeResult iterate(String op, NDArray matrix, double[] b, double tolerance, int maxIterations, boolean inPlace) {
        double[][] a = Matrices.squareRows(op, matrix);
        int n = a.length;
        Matrices.requireVector(op, b, n);
        if (!(tolerance > 0) || maxIterations < 1) {
            throw new IllegalArgumentException(op + ": expected tolerance > 0 and maxIterations >= 1, got " + tolerance + " and " + maxIterations);
        }
        for (int i = 0; i < n; i++) {
            if (a[i][i] == 0) {
                throw new IllegalArgumentException(op + ": diagonal entry " + i + " is zero; the iteration divides by the diagonal");
            }
        }
        double[] x = new double[n];
        double bNorm = Vectors.norm(b);
        double initial = residualNorm(a, x, b);
        double residual = initial;
        if (residual <= tolerance * bNorm) {
            return new IterativeResult(x, 0, residual, IterativeResult.Reason.CONVERGED);
        }
        for (int iteration = 1; iteration <= maxIterations; iteration++) {
            double[] next = inPlace ? x : new double[n];
            for (int i = 0; i < n; i++) {
                double sum = b[i];
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        sum -= a[i][j] * x[j];
                    }
                }
                next[i] = sum / a[i][i];
            }
            x = next;
            residual = residualNorm(a, x, b);
            if (residual <= tolerance * bNorm) {
                return new IterativeResult(x, iteration, residual, IterativeResult.Reason.CONVERGED);
            }
            if (!(residual < 1e10 * Math.max(initial, Double.MIN_NORMAL))) {
                return new IterativeResult(x, iteration, residual, IterativeResult.Reason.DIVERGED);
            }
        }
        return new IterativeResult(x, maxIterations, residual, IterativeResult.Reason.MAX_ITERATIONS);
    }

    private static double residualNorm(double[][] a, double[] x, double[] b) {
        double[] r = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[i] - Vectors.dot(a[i], x);
        }
        return Vectors.norm(r);
    }
}
