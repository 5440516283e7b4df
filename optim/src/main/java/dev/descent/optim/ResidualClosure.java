package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.optim.leastsquares.Levenberg;
import dev.descent.optim.secondorder.Newton;

/**
 * The closure of a least-squares optimizer (Gauss-Newton, Levenberg, Levenberg-Marquardt): it
 * returns the residual vector r(&theta;) of min &frac12;&Vert;r(&theta;)&Vert;&sup2; at the parameters'
 * current values (any shape; it is flattened), computed with tensor ops so that autograd gives its
 * Jacobian, and does not call {@code backward()}. A {@link LossClosure} given to a least-squares
 * optimizer is read the same way.
 *
 * <pre>{@code
 * Optimizer lm = Optimizers.create("levenbergmarquardt", List.of(b1, b2));
 * lm.step((ResidualClosure) () -> b1.mul(b2.mul(x).neg().exp().neg().add(1)).sub(y));
 * }</pre>
 */
@FunctionalInterface
public interface ResidualClosure extends LossClosure {
    /** r(&theta;) at the parameters' current values. */
    Tensor residuals();

    @Override
    default Tensor evaluate() {
        return residuals();
    }
}
