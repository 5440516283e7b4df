package dev.descent.core.linalg;

import dev.descent.core.NDArray;
import java.util.Arrays;

/** Conversions between NDArrays and the row arrays the factorizations work on, with the input checks they share. */
final class Matrices {
    private Matrices() {
    }

    /** The rows of a rank-2 matrix in float64, refusing NaN and infinities by position. */
    static double[][] rows(String op, NDArray matrix) {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected a matrix (rank 2), got shape " + Arrays.toString(matrix.shape()));
        }
        int m = matrix.shape(0);
        int n = matrix.shape(1);
        double[] flat = matrix.toDoubleArray();
        double[][] rows = new double[m][n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double value = flat[i * n + j];
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException(op + ": the matrix holds " + value + " at (" + i + ", " + j + ")");
                }
                rows[i][j] = value;
            }
        }
        return rows;
    }

    /** As {@link #rows}, for a square matrix. */
    static double[][] squareRows(String op, NDArray matrix) {
        if (matrix.rank() != 2 || matrix.shape(0) != matrix.shape(1)) {
            throw new IllegalArgumentException(op + ": expected a square matrix, got shape " + Arrays.toString(matrix.shape()));
        }
        return rows(op, matrix);
    }

    /**
     * Checks symmetry to 1e-10 relative to the Frobenius norm (rounding in a computed Hessian is
     * tolerated) and then makes the matrix exactly symmetric by averaging the two triangles.
     */
    static void requireSymmetric(String op, double[][] a) {
        double norm = 0;
        for (double[] row : a) {
            for (double v : row) {
                norm += v * v;
            }
        }
        double tolerance = 1e-10 * Math.max(Math.sqrt(norm), Double.MIN_NORMAL);
        for (int i = 0; i < a.length; i++) {
            for (int j = i + 1; j < a.length; j++) {
                if (Math.abs(a[i][j] - a[j][i]) > tolerance) {
                    throw new IllegalArgumentException(op + ": the matrix is not symmetric: (" + i + ", " + j + ") is " + a[i][j]
                            + " but (" + j + ", " + i + ") is " + a[j][i]);
                }
                double mean = (a[i][j] + a[j][i]) / 2;
                a[i][j] = mean;
                a[j][i] = mean;
            }
        }
    }

    /** A float64 NDArray holding {@code rows}. */
    static NDArray array(double[][] rows) {
        int m = rows.length;
        int n = m == 0 ? 0 : rows[0].length;
        double[] flat = new double[m * n];
        for (int i = 0; i < m; i++) {
            System.arraycopy(rows[i], 0, flat, i * n, n);
        }
        return NDArray.of(flat, m, n);
    }

    /** Checks that a right-hand side has {@code n} finite entries. */
    static void requireVector(String op, double[] b, int n) {
        if (b.length != n) {
            throw new IllegalArgumentException(op + ": the right-hand side has " + b.length + " entries, expected " + n);
        }
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(b[i])) {
                throw new IllegalArgumentException(op + ": the right-hand side holds " + b[i] + " at " + i);
            }
        }
    }

    /** The columns of a rank-1 or rank-2 right-hand side with {@code n} rows, as arrays. */
    static double[][] columns(String op, NDArray b, int n) {
        if (b.rank() == 1) {
            if (b.shape(0) != n) {
                throw new IllegalArgumentException(op + ": the right-hand side has shape " + Arrays.toString(b.shape()) + ", expected [" + n + "]");
            }
            return new double[][] {b.toDoubleArray()};
        }
        if (b.rank() != 2 || b.shape(0) != n) {
            throw new IllegalArgumentException(op + ": the right-hand side has shape " + Arrays.toString(b.shape())
                    + ", expected [" + n + "] or [" + n + ", k]");
        }
        double[][] rows = rows(op, b);
        int k = b.shape(1);
        double[][] columns = new double[k][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                columns[j][i] = rows[i][j];
            }
        }
        return columns;
    }

    /** The inverse of {@link #columns}: a vector for a rank-1 right-hand side, else a matrix. */
    static NDArray fromColumns(double[][] columns, boolean vector) {
        if (vector) {
            return NDArray.of(columns[0], columns[0].length);
        }
        int n = columns[0].length;
        int k = columns.length;
        double[] flat = new double[n * k];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < n; i++) {
                flat[i * k + j] = columns[j][i];
            }
        }
        return NDArray.of(flat, n, k);
    }

    /** Applies {@code solve} to each column of a right-hand side [n] or [n, k]; the shared body of the factorizations' solves. */
    static NDArray solveColumns(String op, NDArray b, int n, java.util.function.UnaryOperator<double[]> solve) {
        double[][] columns = columns(op, b, n);
        for (int j = 0; j < columns.length; j++) {
            columns[j] = solve.apply(columns[j]);
        }
        return fromColumns(columns, b.rank() == 1);
    }

    /** A&#x207B;&sup1; column by column from a solver of A x = b. */
    static NDArray inverse(int n, java.util.function.UnaryOperator<double[]> solve) {
        double[][] columns = new double[n][];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            columns[j] = solve.apply(e);
        }
        return fromColumns(columns, false);
    }
}
