package dev.descent.core.linalg;

import dev.descent.core.NDArray;

/**
 * The Cholesky factorization A = L L&#x1D40; of a symmetric positive definite matrix, in float64.
 * Solving with it costs two triangular sweeps; it is how Newton's method solves H &delta; = &minus;g.
 *
 * <pre>{@code
 * Cholesky chol = Cholesky.factor(NDArray.of(new double[] {4, 2, 2, 3}, 2, 2));
 * double[] x = chol.solve(new double[] {1, 2});      // A x = b
 * }</pre>
 *
 * A matrix that is not positive definite raises {@link NotPositiveDefiniteException}, never NaN.
 * {@link #factorWithJitter} instead adds a growing multiple of the identity until the
 * factorization succeeds, as Gaussian-process libraries do for nearly singular kernels, and
 * reports the shift it used.
 */
public final class Cholesky {
    private final double[][] lower;
    private final double jitter;

    private Cholesky(double[][] lower, double jitter) {
        this.lower = lower;
        this.jitter = jitter;
    }

    /** Factors {@code matrix} (square, symmetric to 1e-10 relative, positive definite). */
    public static Cholesky factor(NDArray matrix) {
        double[][] a = Matrices.squareRows("Cholesky", matrix);
        Matrices.requireSymmetric("Cholesky", a);
        return new Cholesky(decompose("Cholesky", a, 0), 0);
    }

    /**
     * Factors {@code matrix + jitter I}, with jitter 0 first and then {@code relativeJitter}
     * times the mean absolute diagonal, growing tenfold per try, for at most {@code tries}
     * shifted attempts; the shift used is {@link #jitter()}. Raises
     * {@link NotPositiveDefiniteException} when every try fails.
     */
    public static Cholesky factorWithJitter(NDArray matrix, double relativeJitter, int tries) {
        if (!(relativeJitter > 0) || tries < 1) {
            throw new IllegalArgumentException("Cholesky.factorWithJitter: expected relativeJitter > 0 and tries >= 1, got "
                    + relativeJitter + " and " + tries);
        }
        double[][] a = Matrices.squareRows("Cholesky", matrix);
        Matrices.requireSymmetric("Cholesky", a);
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            scale += Math.abs(a[i][i]) / a.length;
        }
        scale = scale > 0 ? scale : 1;
        NotPositiveDefiniteException last = null;
        double shift = 0;
        for (int attempt = 0; attempt <= tries; attempt++) {
            try {
                return new Cholesky(decompose("Cholesky", a, shift), shift);
            } catch (NotPositiveDefiniteException e) {
                last = e;
            }
            shift = attempt == 0 ? relativeJitter * scale : shift * 10;
        }
        throw last;
    }

    /** The factorization of a + shift I, from the lower triangle of {@code a}. */
    static double[][] decompose(String op, double[][] a, double shift) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int j = 0; j < n; j++) {
            double diagonal = a[j][j] + shift;
            for (int k = 0; k < j; k++) {
                diagonal -= l[j][k] * l[j][k];
            }
            // A pivot that is tiny next to the original diagonal is rounding noise of a singular
            // matrix: treating it as positive would return a factor with huge, meaningless entries.
            if (!(diagonal > n * 0x1p-52 * Math.abs(a[j][j] + shift))) {
                throw new NotPositiveDefiniteException(op, j, diagonal);
            }
            double root = Math.sqrt(diagonal);
            l[j][j] = root;
            for (int i = j + 1; i < n; i++) {
                double sum = a[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                l[i][j] = sum / root;
            }
        }
        return l;
    }

    /** The size n of the n-by-n matrix. */
    public int size() {
        return lower.length;
    }

    /** The diagonal shift that made the matrix factorizable (0 unless {@link #factorWithJitter} needed one). */
    public double jitter() {
        return jitter;
    }

    /** L, lower triangular with a positive diagonal. */
    public NDArray lower() {
        return Matrices.array(lower);
    }

    /** Solves (A + jitter I) x = b. */
    public double[] solve(double[] b) {
        Matrices.requireVector("Cholesky.solve", b, size());
        int n = size();
        double[] y = b.clone();
        for (int i = 0; i < n; i++) {
            double sum = y[i];
            for (int k = 0; k < i; k++) {
                sum -= lower[i][k] * y[k];
            }
            y[i] = sum / lower[i][i];
        }
        for (int i = n - 1; i >= 0; i--) {
            double sum = y[i];
            for (int k = i + 1; k < n; k++) {
                sum -= lower[k][i] * y[k];
            }
            y[i] = sum / lower[i][i];
        }
        return y;
    }

    /** Solves for a vector [n] or for each column of a matrix [n, k]. */
    public NDArray solve(NDArray b) {
        return Matrices.solveColumns("Cholesky.solve", b, size(), this::solve);
    }

    /** log det(A + jitter I) = 2 &Sigma; log L_ii, finite even where the determinant itself would overflow. */
    public double logDeterminant() {
        double sum = 0;
        for (int i = 0; i < size(); i++) {
            sum += Math.log(lower[i][i]);
        }
        return 2 * sum;
    }

    /** (A + jitter I)&#x207B;&sup1;, column by column. */
    public NDArray inverse() {
        return Matrices.inverse(size(), this::solve);
    }
}
