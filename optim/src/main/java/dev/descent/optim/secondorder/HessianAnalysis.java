package dev.descent.optim.secondorder;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.SymmetricEigen;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.LossFunction;
import dev.descent.optim.ParameterVector;
import java.util.Arrays;
import java.util.List;

/**
 * The Hessian of a loss at the parameters' current values: its eigenvalues, condition number,
 * and what kind of critical point the point is.
 * <ul>
 *   <li>{@link #dense}: the full Hessian (n Hessian-vector products) and all its eigenvalues, for
 *       models of up to a few thousand parameters;</li>
 *   <li>{@link #lanczos}: the extreme eigenvalues of a large model by the Lanczos iteration on
 *       Hessian-vector products (with full reorthogonalization), never forming the Hessian.</li>
 * </ul>
 *
 * <pre>{@code
 * HessianAnalysis.Report r = HessianAnalysis.dense(List.of(x), () -> rosenbrock(x));
 * System.out.println(r.kind() + ", condition number " + r.conditionNumber());
 * }</pre>
 */
public final class HessianAnalysis {

    /** What a point is, judged by the gradient and the signs of the Hessian's eigenvalues. */
    public enum CriticalPoint {
        /** Gradient zero (to the tolerance), every eigenvalue positive. */
        MINIMUM,
        /** Gradient zero, every eigenvalue negative. */
        MAXIMUM,
        /** Gradient zero, eigenvalues of both signs. */
        SADDLE,
        /** Gradient zero but some eigenvalue is zero to the tolerance: second order does not decide. */
        DEGENERATE,
        /** The gradient is not zero: not a critical point. */
        NOT_CRITICAL
    }

    /**
     * The eigenvalues (ascending), the condition number max|&mu;| / min|&mu;| (infinite when an
     * eigenvalue is zero), the gradient norm, and the classification.
     */
    public record Report(double[] eigenvalues, double conditionNumber, double gradientNorm, CriticalPoint kind) {
    }

    private HessianAnalysis() {
    }

    /** The dense analysis with tolerances 1e-6 on the gradient norm and 1e-8 (relative) on eigenvalues. */
    public static Report dense(List<? extends Tensor> params, LossFunction loss) {
        return dense(params, loss, 1e-6, 1e-8);
    }

    /**
     * The dense analysis: a point is critical when &Vert;g&Vert; &le; gradientTolerance; an eigenvalue
     * counts as zero when |&mu;| &le; eigenvalueTolerance &middot; max|&mu;|.
     */
    public static Report dense(List<? extends Tensor> params, LossFunction loss, double gradientTolerance, double eigenvalueTolerance) {
        ParameterVector theta = ParameterVector.of(params);
        Curvature at = new Curvature("HessianAnalysis", theta, loss);
        double[] eigenvalues = SymmetricEigen.decompose(at.hessian()).values().toDoubleArray();
        double gradientNorm = Vectors.norm(at.gradient);
        return new Report(eigenvalues, conditionNumber(eigenvalues), gradientNorm,
                classify(eigenvalues, gradientNorm, gradientTolerance, eigenvalueTolerance));
    }

    /**
     * The Ritz values of {@code steps} Lanczos iterations (at most n) from a seeded random start:
     * ascending; the largest and smallest converge first, so the ends of the returned array
     * approximate the extreme eigenvalues of the Hessian.
     */
    public static double[] lanczos(List<? extends Tensor> params, LossFunction loss, int steps, long seed) {
        ParameterVector theta = ParameterVector.of(params);
        Curvature at = new Curvature("HessianAnalysis.lanczos", theta, loss);
        int n = at.gradient.length;
        int m = Math.min(steps, n);
        if (m < 1) {
            throw new IllegalArgumentException("HessianAnalysis.lanczos: steps must be at least 1, got " + steps);
        }
        java.util.Random random = new java.util.Random(seed);
        double[][] basis = new double[m][];
        double[] alpha = new double[m];
        double[] beta = new double[m];
        double[] q = new double[n];
        for (int i = 0; i < n; i++) {
            q[i] = random.nextGaussian();
        }
        q = Vectors.scaled(1 / Vectors.norm(q), q);
        int size = m;
        for (int k = 0; k < m; k++) {
            basis[k] = q;
            double[] w = at.hessianTimes(q);
            alpha[k] = Vectors.dot(w, q);
            // Full reorthogonalization (twice is enough) keeps the basis orthonormal in floating point,
            // which the three-term recurrence alone does not.
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j <= k; j++) {
                    Vectors.addScaled(w, -Vectors.dot(w, basis[j]), basis[j]);
                }
            }
            double norm = Vectors.norm(w);
            if (k + 1 < m) {
                if (norm < 1e-12 * Math.max(1, Math.abs(alpha[k]))) {
                    size = k + 1; // an invariant subspace: its Ritz values are exact eigenvalues
                    break;
                }
                beta[k] = norm;
                q = Vectors.scaled(1 / norm, w);
            }
        }
        double[] tridiagonal = new double[size * size];
        for (int k = 0; k < size; k++) {
            tridiagonal[k * size + k] = alpha[k];
            if (k + 1 < size) {
                tridiagonal[k * size + k + 1] = beta[k];
                tridiagonal[(k + 1) * size + k] = beta[k];
            }
        }
        return SymmetricEigen.decompose(NDArray.of(tridiagonal, size, size)).values().toDoubleArray();
    }

    /** max|&mu;| / min|&mu;|. */
    public static double conditionNumber(double[] eigenvalues) {
        double largest = 0;
        double smallest = Double.POSITIVE_INFINITY;
        for (double mu : eigenvalues) {
            largest = Math.max(largest, Math.abs(mu));
            smallest = Math.min(smallest, Math.abs(mu));
        }
        return smallest == 0 ? Double.POSITIVE_INFINITY : largest / smallest;
    }

    static CriticalPoint classify(double[] eigenvalues, double gradientNorm, double gradientTolerance, double eigenvalueTolerance) {
        if (gradientNorm > gradientTolerance) {
            return CriticalPoint.NOT_CRITICAL;
        }
        double scale = Arrays.stream(eigenvalues).map(Math::abs).max().orElse(0);
        boolean positive = false;
        boolean negative = false;
        boolean zero = false;
        for (double mu : eigenvalues) {
            if (Math.abs(mu) <= eigenvalueTolerance * scale || scale == 0) {
                zero = true;
            } else if (mu > 0) {
                positive = true;
            } else {
                negative = true;
            }
        }
        if (positive && negative) {
            return CriticalPoint.SADDLE;
        }
        if (zero) {
            return CriticalPoint.DEGENERATE;
        }
        return positive ? CriticalPoint.MINIMUM : CriticalPoint.MAXIMUM;
    }
}
