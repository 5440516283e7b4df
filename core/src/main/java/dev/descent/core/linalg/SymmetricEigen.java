package dev.descent.core.linalg;


import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * The eigendecomposition A = V diag(&lambda;) V<sup>T</sup> of a real symmetric matrix, by the cyclic
 * Jacobi method: sweeps of plane rotations, each zeroing one off-diagonal pair (with the
 * rotation angles computed in Rutishauser's stable form), until the off-diagonal part is below
 * {@code tolerance} times the matrix's Frobenius norm. It is slow for large matrices (each sweep
 * costs about 6n&sup3; flops) but accurate to working precision, also for tiny eigenvalues.
 *
 * <pre>{@code
 * SymmetricEigen.Result r = SymmetricEigen.decompose(covariance);
 * NDArray largest = r.vectors().select(1, r.values().size() - 1);   // eigenvalues ascend
 * }</pre>
 */
public final class SymmetricEigen {
    /**
     * The decomposition: eigenvalues in ascending order, eigenvectors as the matching columns of
     * {@code vectors} (orthonormal), the number of sweeps, and the remaining off-diagonal norm.
     */
    public record Result(NDArray values, NDArray vectors, int sweeps, double offDiagonalNorm) {
    }

    private static final int MAX_SWEEPS = 100;

    private SymmetricEigen() {
    }

    /** Decomposes {@code matrix} (square and symmetric to 1e-10 relative; computed in float64). */
    public static Result decompose(NDArray matrix) {
        return decompose(matrix, 1e-15);
    }

    public static Result decompose(NDArray matrix, double tolerance) {
        double[][] a = Matrices.squareRows("SymmetricEigen", matrix);
        Matrices.requireSymmetric("SymmetricEigen", a);
        int n = a.length;
        double norm = 0;
        for (double[] row : a) {
            for (double value : row) {
                norm += value * value;
            }
        }
        norm = Math.sqrt(norm);
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        int sweeps = 0;
        double off = offDiagonal(a);
        while (off > tolerance * norm && sweeps < MAX_SWEEPS) {
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
            sweeps++;
            off = offDiagonal(a);
        }
        if (off > tolerance * norm * 1e3) {
            throw new ArithmeticException("SymmetricEigen: no convergence after " + MAX_SWEEPS + " sweeps (off-diagonal norm " + off + ")");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(a[x][x], a[y][y]));
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int k = 0; k < n; k++) {
            values[k] = a[order[k]][order[k]];
            for (int i = 0; i < n; i++) {
                vectors[i * n + k] = v[i][order[k]];
            }
        }
        return new Result(NDArray.of(values, n), NDArray.of(vectors, n, n), sweeps, off);
    }

    /** Zeroes a[p][q] with a rotation in the (p, q) plane, applied on both sides; accumulates it into v. */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        double apq = a[p][q];
        double theta = (a[q][q] - a[p][p]) / (2 * apq);
        double t = Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        double tau = s / (1 + c);
        a[p][p] -= t * apq;
        a[q][q] += t * apq;
        a[p][q] = 0;
        a[q][p] = 0;
        int n = a.length;
        for (int r = 0; r < n; r++) {
            if (r != p && r != q) {
                double g = a[r][p];
                double h = a[r][q];
                double rp = g - s * (h + g * tau);
                double rq = h + s * (g - h * tau);
                a[r][p] = rp;
                a[p][r] = rp;
                a[r][q] = rq;
                a[q][r] = rq;
            }
            double g = v[r][p];
            double h = v[r][q];
            v[r][p] = g - s * (h + g * tau);
            v[r][q] = h + s * (g - h * tau);
        }
    }

    private static double offDiagonal(double[][] a) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (i != j) {
                    sum += a[i][j] * a[i][j];
                }
            }
        }
        return Math.sqrt(sum);
    }

}
