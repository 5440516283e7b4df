package dev.descent.core.linalg;

import dev.descent.core.NDArray;

/**
 * A square linear map given only by its product with a vector, v &#x21A6; A v: what the iterative
 * solvers need, so that a Hessian-vector product can drive them without the matrix
 * ever being formed.
 *
 * <pre>{@code
 * LinearOperator hessian = v -> hessianVectorProduct(v);      // n -> n
 * IterativeResult r = ConjugateGradient.solve(hessian, n, minusGradient, ConjugateGradient.options());
 * }</pre>
 */
@FunctionalInterface
public interface LinearOperator {
    /** A v; must not modify {@code v}. */
    double[] apply(double[] v);

    /** The operator of a dense square matrix (copied, float64). */
    static LinearOperator of(NDArray matrix) {
        double[][] a = Matrices.squareRows("LinearOperator", matrix);
        return v -> {
            double[] out = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = Vectors.dot(a[i], v);
            }
            return out;
        };
    }
}
