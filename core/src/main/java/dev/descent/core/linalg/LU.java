package dev.descent.core.linalg;

import dev.descent.core.NDArray;

/**
 * The LU factorization with partial pivoting, P A = L U, of a square matrix in float64: solves,
 * determinant and inverse of a general (non-symmetric) matrix.
 *
 * <pre>{@code
 * LU lu = LU.factor(a);
 * double det = lu.determinant();
 * double[] x = lu.solve(b);          // raises SingularMatrixException for a singular a
 * }</pre>
 *
 * The factorization itself never fails; a pivot that is zero, or negligible next to the
 * largest entry of its column (n &middot; machine epsilon relative), makes {@link #isSingular()}
 * true, and then {@link #solve} and {@link #inverse} raise {@link SingularMatrixException} rather
 * than return infinities. The determinant of such a matrix is reported as computed (0 or tiny).
 */
public final class LU {
    private final double[][] lu;
    private final int[] permutation;
    private final int swaps;
    private final int singularColumn;

    private LU(double[][] lu, int[] permutation, int swaps, int singularColumn) {
        this.lu = lu;
        this.permutation = permutation;
        this.swaps = swaps;
        this.singularColumn = singularColumn;
    }

    /** Factors the square {@code matrix}. */
    public static LU factor(NDArray matrix) {
        double[][] a = Matrices.squareRows("LU", matrix);
        int n = a.length;
        int[] permutation = new int[n];
        double[] columnScale = new double[n];
        for (int i = 0; i < n; i++) {
            permutation[i] = i;
            for (int j = 0; j < n; j++) {
                columnScale[j] = Math.max(columnScale[j], Math.abs(a[i][j]));
            }
        }
        int swaps = 0;
        int singularColumn = -1;
        for (int k = 0; k < n; k++) {
            int pivot = k;
            for (int i = k + 1; i < n; i++) {
                if (Math.abs(a[i][k]) > Math.abs(a[pivot][k])) {
                    pivot = i;
                }
            }
            if (pivot != k) {
                double[] row = a[pivot];
                a[pivot] = a[k];
                a[k] = row;
                int index = permutation[pivot];
                permutation[pivot] = permutation[k];
                permutation[k] = index;
                swaps++;
            }
            if (Math.abs(a[k][k]) <= n * 0x1p-52 * columnScale[k]) {
                if (singularColumn < 0) {
                    singularColumn = k;
                }
                continue;
            }
            for (int i = k + 1; i < n; i++) {
                double factor = a[i][k] / a[k][k];
                a[i][k] = factor;
                if (factor != 0) {
                    for (int j = k + 1; j < n; j++) {
                        a[i][j] -= factor * a[k][j];
                    }
                }
            }
        }
        return new LU(a, permutation, swaps, singularColumn);
    }

    /** The size n of the n-by-n matrix. */
    public int size() {
        return lu.length;
    }

    /** Whether a pivot was zero or negligible (then solves and the inverse are refused). */
    public boolean isSingular() {
        return singularColumn >= 0;
    }

    /** det A = (&minus;1)^swaps &middot; &Pi; U_ii. */
    public double determinant() {
        if (isSingular() && lu[singularColumn][singularColumn] == 0) {
            return 0;
        }
        double det = swaps % 2 == 0 ? 1 : -1;
        for (int i = 0; i < size(); i++) {
            det *= lu[i][i];
        }
        return det;
    }

    /** L (unit lower triangular). */
    public NDArray lower() {
        int n = size();
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(lu[i], 0, l[i], 0, i);
            l[i][i] = 1;
        }
        return Matrices.array(l);
    }

    /** U (upper triangular). */
    public NDArray upper() {
        int n = size();
        double[][] u = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(lu[i], i, u[i], i, n - i);
        }
        return Matrices.array(u);
    }

    /** The row order: row i of P A is row {@code pivots()[i]} of A. */
    public int[] pivots() {
        return permutation.clone();
    }

    /** Solves A x = b. */
    public double[] solve(double[] b) {
        Matrices.requireVector("LU.solve", b, size());
        requireNonsingular("LU.solve");
        int n = size();
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = b[permutation[i]];
            for (int k = 0; k < i; k++) {
                sum -= lu[i][k] * x[k];
            }
            x[i] = sum;
        }
        for (int i = n - 1; i >= 0; i--) {
            double sum = x[i];
            for (int k = i + 1; k < n; k++) {
                sum -= lu[i][k] * x[k];
            }
            x[i] = sum / lu[i][i];
        }
        return x;
    }

    /** Solves for a vector [n] or for each column of a matrix [n, k]. */
    public NDArray solve(NDArray b) {
        return Matrices.solveColumns("LU.solve", b, size(), this::solve);
    }

    /** A&#x207B;&sup1;. */
    public NDArray inverse() {
        requireNonsingular("LU.inverse");
        return Matrices.inverse(size(), this::solve);
    }

    private void requireNonsingular(String op) {
        if (isSingular()) {
            throw new SingularMatrixException(op + ": the " + size() + "x" + size() + " matrix is singular to working precision (pivot "
                    + singularColumn + " is " + lu[singularColumn][singularColumn] + ")");
        }
    }
}
