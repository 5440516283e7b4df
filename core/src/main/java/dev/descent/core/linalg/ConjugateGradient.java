package dev.descent.core.linalg;

import dev.descent.core.NDArray;

/**
 * Conjugate gradient (Hestenes and Stiefel, 1952) for A x = b with A symmetric positive
 * definite, optionally preconditioned by M &asymp; A (Jacobi: M = diag A). One product with A per
 * iteration; exact in at most n steps in exact arithmetic.
 * <pre>
 *   r &larr; b &minus; A x;  z &larr; M&#x207B;&sup1; r;  p &larr; z
 *   repeat:  &alpha; &larr; r&#x1D40;z / p&#x1D40;A p
 *            x &larr; x + &alpha; p;   r &larr; r &minus; &alpha; A p
 *            stop when &Vert;r&Vert; &le; tolerance &middot; &Vert;b&Vert;
 *            z &larr; M&#x207B;&sup1; r;  &beta; &larr; r&#x1D40;z (new) / r&#x1D40;z (old);  p &larr; z + &beta; p
 * </pre>
 * A direction of non-positive curvature stops the iteration with
 * {@link IterativeResult.Reason#NEGATIVE_CURVATURE} (the truncated-Newton convention).
 *
 * <pre>{@code
 * IterativeResult r = ConjugateGradient.solve(a, b, ConjugateGradient.options().tolerance(1e-10));
 * }</pre>
 */
public final class ConjugateGradient {

    /** Settings: relative tolerance (default 1e-10), iteration cap (default 10 n), start, Jacobi preconditioner. */
    public static final class Options {
        private double tolerance = 1e-10;
        private int maxIterations = -1;
        private double[] start;
        private double[] inverseDiagonal;

        /** Stop when &Vert;r&Vert; &le; tolerance &middot; &Vert;b&Vert;. */
        public Options tolerance(double value) {
            if (!(value > 0)) {
                throw new IllegalArgumentException("ConjugateGradient: tolerance must be positive, got " + value);
            }
            tolerance = value;
            return this;
        }

        public Options maxIterations(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("ConjugateGradient: maxIterations must be at least 1, got " + value);
            }
            maxIterations = value;
            return this;
        }

        /** The initial guess (default zero). */
        public Options start(double[] x0) {
            start = x0.clone();
            return this;
        }

        /** The Jacobi preconditioner M = diag(d): every entry must be positive. */
        public Options jacobi(double[] diagonal) {
            double[] inverse = new double[diagonal.length];
            for (int i = 0; i < diagonal.length; i++) {
                if (!(diagonal[i] > 0)) {
                    throw new IllegalArgumentException("ConjugateGradient: the Jacobi preconditioner needs a positive diagonal, entry "
                            + i + " is " + diagonal[i]);
                }
                inverse[i] = 1 / diagonal[i];
            }
            inverseDiagonal = inverse;
            return this;
        }
    }

    private ConjugateGradient() {
    }

    public static Options options() {
        return new Options();
    }

    /** Solves with a dense matrix. */
    public static IterativeResult solve(NDArray matrix, double[] b, Options options) {
        return solve(LinearOperator.of(matrix), b, options);
    }

    /** Solves with the diagonal of {@code matrix} as a Jacobi preconditioner. */
    public static IterativeResult solveJacobiPreconditioned(NDArray matrix, double[] b, Options options) {
        double[][] a = Matrices.squareRows("ConjugateGradient", matrix);
        double[] diagonal = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            diagonal[i] = a[i][i];
        }
        return solve(LinearOperator.of(matrix), b, options.jacobi(diagonal));
    }

    /** Solves A x = b where A is given by its products. */
    public static IterativeResult solve(LinearOperator a, double[] b, Options options) {
        int n = b.length;
        Matrices.requireVector("ConjugateGradient", b, n);
        if (options.start != null && options.start.length != n) {
            throw new IllegalArgumentException("ConjugateGradient: the start has " + options.start.length + " entries, expected " + n);
        }
        if (options.inverseDiagonal != null && options.inverseDiagonal.length != n) {
            throw new IllegalArgumentException("ConjugateGradient: the preconditioner has " + options.inverseDiagonal.length
                    + " entries, expected " + n);
        }
        int maxIterations = options.maxIterations > 0 ? options.maxIterations : Math.max(10 * n, 10);
        double[] x = options.start != null ? options.start.clone() : new double[n];
        double[] r = b.clone();
        if (options.start != null) {
            double[] ax = apply(a, x, n);
            for (int i = 0; i < n; i++) {
                r[i] -= ax[i];
            }
        }
        double target = options.tolerance * Vectors.norm(b);
        double residual = Vectors.norm(r);
        if (residual <= target || residual == 0) {
            return new IterativeResult(x, 0, residual, IterativeResult.Reason.CONVERGED);
        }
        double[] z = precondition(options, r);
        double[] p = z.clone();
        double rz = Vectors.dot(r, z);
        for (int iteration = 1; iteration <= maxIterations; iteration++) {
            double[] ap = apply(a, p, n);
            double curvature = Vectors.dot(p, ap);
            if (!(curvature > 0)) {
                return new IterativeResult(x, iteration - 1, residual, IterativeResult.Reason.NEGATIVE_CURVATURE);
            }
            double alpha = rz / curvature;
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
            }
            residual = Vectors.norm(r);
            if (residual <= target) {
                return new IterativeResult(x, iteration, residual, IterativeResult.Reason.CONVERGED);
            }
            z = precondition(options, r);
            double next = Vectors.dot(r, z);
            double beta = next / rz;
            rz = next;
            for (int i = 0; i < n; i++) {
                p[i] = z[i] + beta * p[i];
            }
        }
        return new IterativeResult(x, maxIterations, residual, IterativeResult.Reason.MAX_ITERATIONS);
    }

    private static double[] apply(LinearOperator a, double[] v, int n) {
        double[] out = a.apply(v);
        if (out.length != n) {
            throw new IllegalArgumentException("ConjugateGradient: the operator returned " + out.length + " entries for a vector of " + n);
        }
        return out;
    }

    private static double[] precondition(Options options, double[] r) {
        if (options.inverseDiagonal == null) {
            return r.clone();
        }
        double[] z = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            z[i] = options.inverseDiagonal[i] * r[i];
        }
        return z;
    }
}
