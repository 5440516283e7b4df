package dev.descent.optim.secondorder;

import dev.descent.autograd.Tensor;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.LossFunction;
import dev.descent.optim.ParameterVector;
import java.util.List;

/**
 * The exact minimizing step along a direction for the local quadratic model of the loss, the
 * "optimal learning rate" of the lectures: with g = &nabla;f and H = &nabla;&sup2;f at &theta;,
 * <pre>
 *   t* = argmin&#x209C; f(&theta;) + t g&#x1D40;d + &frac12; t&sup2; d&#x1D40;H d = &minus;g&#x1D40;d / d&#x1D40;H d,     along d = &minus;g:  t* = g&#x1D40;g / g&#x1D40;H g
 * </pre>
 * One Hessian-vector product; exact for a quadratic loss. Where the curvature d&#x1D40;Hd is not
 * positive the model has no minimizer along d and the step is refused with a clear error.
 *
 * <pre>{@code
 * double lr = QuadraticModelStep.alongGradient(model.parameters(), () -> loss(model));
 * }</pre>
 */
public final class QuadraticModelStep {
    private QuadraticModelStep() {
    }

    /** t* along &minus;g. */
    public static double alongGradient(List<? extends Tensor> params, LossFunction loss) {
        ParameterVector theta = ParameterVector.of(params);
        Curvature at = new Curvature("QuadraticModelStep", theta, loss);
        return step(at, Vectors.scaled(-1, at.gradient));
    }

    /** t* along {@code direction} (in {@link ParameterVector} order). */
    public static double along(List<? extends Tensor> params, LossFunction loss, double[] direction) {
        ParameterVector theta = ParameterVector.of(params);
        if (direction.length != theta.size()) {
            throw new IllegalArgumentException("QuadraticModelStep: the direction has " + direction.length + " entries for "
                    + theta.size() + " parameters");
        }
        return step(new Curvature("QuadraticModelStep", theta, loss), direction);
    }

    private static double step(Curvature at, double[] direction) {
        double curvature = Vectors.dot(direction, at.hessianTimes(direction));
        if (!(curvature > 0)) {
            throw new ArithmeticException("QuadraticModelStep: the curvature along the direction is " + curvature
                    + "; the quadratic model has no minimizer there");
        }
        return -Vectors.dot(at.gradient, direction) / curvature;
    }
}
