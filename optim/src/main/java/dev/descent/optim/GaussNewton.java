package dev.descent.optim;

import dev.descent.autograd.Tensor;
import java.util.List;

/**
 * Gauss-Newton for min &frac12;&Vert;r(&theta;)&Vert;&sup2;: the model r(&theta; + &delta;) &asymp; r + J &delta; gives
 * <pre>
 *   J&#x1D40;J &delta; = &minus;J&#x1D40;r     (solved as the least-squares problem J &delta; = &minus;r, by QR)
 *   &theta; &larr; &theta; + &alpha; &delta;,   &alpha; = 1, 1/2, 1/4, &hellip; until &Vert;r&Vert; decreases
 * </pre>
 * Quadratic convergence on zero-residual problems; no safeguard against a rank-deficient J
 * (that is a clear error: use {@link LevenbergMarquardt}).
 *
 * <pre>{@code
 * LeastSquaresResult fit = new GaussNewton(List.of(b1, b2), new LeastSquaresOptions()).solve(residuals);
 * }</pre>
 */
public final class GaussNewton extends LeastSquaresSolver {
    public GaussNewton(List<? extends Tensor> params, LeastSquaresOptions options) {
        super("GaussNewton", params, options);
    }

    @Override
    double[] damping(double[] normalDiagonal, double[] previous) {
        return null;
    }
}
