package dev.descent.optim.leastsquares;

import dev.descent.autograd.Tensor;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.secondorder.Newton;
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
 * GaussNewton gaussNewton = new GaussNewton(List.of(b1, b2), GaussNewton.options());
 * gaussNewton.step(residuals);
 * }</pre>
 */
public final class GaussNewton extends LeastSquaresOptimizer {
    static final HyperparameterSpec SPEC = spec("GaussNewton", false);

    public static Options options() { return new Options(SPEC); }

    public GaussNewton(List<? extends Tensor> params, Options options) { super(SPEC, options, params); }

    @Override
    double[] damping(double[] normalDiagonal, double[] previous) {
        return null;
    }
}
