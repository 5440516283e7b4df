package dev.descent.core.linalg;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/** Test matrices with a prescribed condition number: U diag(s) V^T with random orthogonal U, V. */
final class RandomMatrices {
    private RandomMatrices() {
    }

    /** A random m-by-n orthonormal-column matrix (Q of a Gaussian matrix). */
    static NDArray orthonormal(Generator g, int m, int n) {
        return QR.factor(NDArray.randn(DType.FLOAT64, g, m, n)).q();
    }

    /** Singular values spaced geometrically from 1 down to 1 / condition. */
    static double[] spectrum(int n, double condition) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = n == 1 ? 1 : Math.pow(condition, -(double) i / (n - 1));
        }
        return s;
    }

    /** A general m-by-n matrix (m >= n) with 2-norm condition number {@code condition}. */
    static NDArray general(Generator g, int m, int n, double condition) {
        NDArray u = orthonormal(g, m, n);
        NDArray v = orthonormal(g, n, n);
        return u.mul(NDArray.of(spectrum(n, condition), n)).matmul(v.t());
    }

    /** A symmetric positive definite n-by-n matrix with condition number {@code condition}. */
    static NDArray symmetricPositiveDefinite(Generator g, int n, double condition) {
        NDArray q = orthonormal(g, n, n);
        NDArray a = q.mul(NDArray.of(spectrum(n, condition), n)).matmul(q.t());
        return a.add(a.t()).mul(0.5);
    }

    static double[] vector(Generator g, int n) {
        return NDArray.randn(DType.FLOAT64, g, n).toDoubleArray();
    }

    /** &Vert;A x &minus; b&Vert; / (&Vert;A&Vert;_F &Vert;x&Vert; + &Vert;b&Vert;): the backward error a stable solver keeps near machine epsilon. */
    static double relativeResidual(NDArray a, double[] x, double[] b) {
        NDArray ax = a.matmul(NDArray.of(x, x.length));
        double[] r = ax.sub(NDArray.of(b, b.length)).toDoubleArray();
        return Vectors.norm(r) / (Math.sqrt(a.mul(a).sum().item()) * Vectors.norm(x) + Vectors.norm(b));
    }

    static double maxAbsDifference(NDArray a, NDArray b) {
        return a.sub(b).abs().max().item();
    }

    /** The largest |entry| strictly above the diagonal ({@code above}) or strictly below it. */
    static double maxAbsOffTriangle(NDArray a, boolean above) {
        int m = a.shape(0);
        int n = a.shape(1);
        double[] flat = a.toDoubleArray();
        double max = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if (above ? j > i : j < i) {
                    max = Math.max(max, Math.abs(flat[i * n + j]));
                }
            }
        }
        return max;
    }
}
