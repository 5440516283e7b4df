package dev.descent.optim.leastsquares;

import dev.descent.autograd.Tensor;
import dev.descent.optim.HyperparameterSpec;
import java.util.List;

/**
 * Levenberg-Marquardt (Marquardt, 1963): the damping is scaled per parameter by the curvature
 * the data gives it,
 * <pre>
 *   (J&#x1D40;J + &lambda; D) &delta; = &minus;J&#x1D40;r,    D = diag(J&#x1D40;J), kept at its largest value so far (MINPACK)
 * </pre>
 * which makes the method invariant to rescaling the parameters. &lambda; adapts by the ratio of
 * actual to predicted reduction ({@link LeastSquaresOptimizer}); stops on MINPACK's ftol, xtol,
 * gtol tests. The method of choice for curve fitting.
 *
 * <pre>{@code
 * Tensor b1 = Tensor.scalar(DType.FLOAT64, 500).requiresGrad(true), b2 = Tensor.scalar(DType.FLOAT64, 1e-4).requiresGrad(true);
 * LevenbergMarquardt lm = new LevenbergMarquardt(List.of(b1, b2), LevenbergMarquardt.options());
 * lm.step(() -> b1.mul(b2.mul(x).neg().exp().neg().add(1)).sub(y));
 * System.out.println(lm.lastStep().stopReason().description() + ", loss " + lm.lastStep().loss());
 * }</pre>
 */
public final class LevenbergMarquardt extends LeastSquaresOptimizer {
    static final HyperparameterSpec SPEC = spec("LevenbergMarquardt", true);

    public static Options options() { return new Options(SPEC); }

    public LevenbergMarquardt(List<? extends Tensor> params, Options options) { super(SPEC, options, params); }

    @Override
    double[] damping(double[] normalDiagonal, double[] previous) {
        double[] scale = new double[normalDiagonal.length];
        for (int j = 0; j < scale.length; j++) {
            scale[j] = Math.max(normalDiagonal[j], previous == null ? 0 : previous[j]);
            if (scale[j] == 0) {
                scale[j] = 1; // a parameter the residuals do not (yet) depend on
            }
        }
        return scale;
    }
}
