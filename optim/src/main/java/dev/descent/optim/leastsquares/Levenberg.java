package dev.descent.optim.leastsquares;

import dev.descent.autograd.Tensor;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.secondorder.Newton;
import java.util.Arrays;
import java.util.List;

/**
 * Levenberg's method (1944): Gauss-Newton damped toward gradient descent,
 * <pre>
 *   (J&#x1D40;J + &lambda; I) &delta; = &minus;J&#x1D40;r
 * </pre>
 * with &lambda; adapted by the ratio of actual to predicted reduction ({@link LeastSquaresOptimizer}).
 * Large &lambda; gives a short gradient step, small &lambda; the Gauss-Newton step. The identity
 * damps every parameter alike, so badly scaled parameters favour {@link LevenbergMarquardt}.
 */
public final class Levenberg extends LeastSquaresOptimizer {
    static final HyperparameterSpec SPEC = spec("Levenberg", true);

    public static Options options() { return new Options(SPEC); }

    public Levenberg(List<? extends Tensor> params, Options options) { super(SPEC, options, params); }

    @Override
    double[] damping(double[] normalDiagonal, double[] previous) {
        double[] identity = new double[normalDiagonal.length];
        Arrays.fill(identity, 1);
        return identity;
    }
}
