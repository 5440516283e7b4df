package dev.descent.core.linalg;

import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * The Householder QR factorization A = Q R of an m-by-n matrix with m &ge; n, in float64; its use
 * is linear least squares, min &Vert;A x &minus; b&Vert;, solved without forming A&#x1D40;A (whose
 * condition number is the square of A's).
 *
 * <pre>{@code
 * QR qr = QR.factor(design);                    // [m, n], m >= n
 * double[] coefficients = qr.leastSquares(y);   // [m] -> [n]
 * }</pre>
 *
 * A rank-deficient A (a diagonal entry of R below max(m, n) &middot; machine epsilon times the
 * largest) makes {@link #leastSquares} raise {@link SingularMatrixException}: the solution is then
 * not unique.
 */
public final class QR {
    private final double[][] a;
    private final double[] rDiagonal;
    private final int m;
    private final int n;

    private QR(double[][] a, double[] rDiagonal) {
        this.a = a;
        this.rDiagonal = rDiagonal;
        this.m = a.length;
        this.n = rDiagonal.length;
    }

    /** Factors {@code matrix}, which must have at least as many rows as columns. */
    public static QR factor(NDArray matrix) {
        double[][] a = Matrices.rows("QR", matrix);
        int m = matrix.shape(0);
        int n = matrix.shape(1);
        if (m < n) {
            throw new IllegalArgumentException("QR: expected at least as many rows as columns, got shape " + Arrays.toString(matrix.shape()));
        }
        double[] rDiagonal = new double[n];
        // Column k below the diagonal becomes the Householder vector v (scaled so v_k = norm + |x_k|);
        // the reflection H = I - v v^T / (norm * v_k) maps x to -sign(x_k) * norm * e_k.
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) {
                norm = Math.hypot(norm, a[i][k]);
            }
            if (norm != 0) {
                if (a[k][k] < 0) {
                    norm = -norm;
                }
                for (int i = k; i < m; i++) {
                    a[i][k] /= norm;
                }
                a[k][k] += 1;
                for (int j = k + 1; j < n; j++) {
                    double s = 0;
                    for (int i = k; i < m; i++) {
                        s += a[i][k] * a[i][j];
                    }
                    s = -s / a[k][k];
                    for (int i = k; i < m; i++) {
                        a[i][j] += s * a[i][k];
                    }
                }
            }
            rDiagonal[k] = -norm;
        }
        return new QR(a, rDiagonal);
    }

    /** Whether R has a diagonal entry that is zero to working precision. */
    public boolean isRankDeficient() {
        return deficientColumn() >= 0;
    }

    private int deficientColumn() {
        double largest = 0;
        for (double d : rDiagonal) {
            largest = Math.max(largest, Math.abs(d));
        }
        for (int k = 0; k < n; k++) {
            if (Math.abs(rDiagonal[k]) <= Math.max(m, n) * 0x1p-52 * largest || largest == 0) {
                return k;
            }
        }
        return -1;
    }

    /** R, n-by-n upper triangular. */
    public NDArray r() {
        double[][] r = new double[n][n];
        for (int i = 0; i < n; i++) {
            r[i][i] = rDiagonal[i];
            for (int j = i + 1; j < n; j++) {
                r[i][j] = a[i][j];
            }
        }
        return Matrices.array(r);
    }

    /** The thin Q, m-by-n with orthonormal columns. */
    public NDArray q() {
        double[][] q = new double[m][n];
        for (int k = n - 1; k >= 0; k--) {
            q[k][k] = 1;
            for (int j = k; j < n; j++) {
                if (a[k][k] != 0) {
                    double s = 0;
                    for (int i = k; i < m; i++) {
                        s += a[i][k] * q[i][j];
                    }
                    s = -s / a[k][k];
                    for (int i = k; i < m; i++) {
                        q[i][j] += s * a[i][k];
                    }
                }
            }
        }
        return Matrices.array(q);
    }

    /** The x minimizing &Vert;A x &minus; b&Vert;&#x2082; for b of length m. */
    public double[] leastSquares(double[] b) {
        Matrices.requireVector("QR.leastSquares", b, m);
        int deficient = deficientColumn();
        if (deficient >= 0) {
            throw new SingularMatrixException("QR.leastSquares: the " + m + "x" + n + " matrix is rank deficient (R[" + deficient + ", "
                    + deficient + "] = " + rDiagonal[deficient] + "); the least-squares solution is not unique");
        }
        double[] y = b.clone();
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int i = k; i < m; i++) {
                s += a[i][k] * y[i];
            }
            s = -s / a[k][k];
            for (int i = k; i < m; i++) {
                y[i] += s * a[i][k];
            }
        }
        double[] x = new double[n];
        for (int k = n - 1; k >= 0; k--) {
            double sum = y[k];
            for (int j = k + 1; j < n; j++) {
                sum -= a[k][j] * x[j];
            }
            x[k] = sum / rDiagonal[k];
        }
        return x;
    }

    /** Least squares for a vector [m] or each column of a matrix [m, k]. */
    public NDArray leastSquares(NDArray b) {
        return Matrices.solveColumns("QR.leastSquares", b, m, this::leastSquares);
    }
}
