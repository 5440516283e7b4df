package dev.descent.optim;

import dev.descent.autograd.Tensor;

/**
 * The residual vector r(&theta;) of a least-squares problem, min &frac12;&Vert;r(&theta;)&Vert;&sup2;, computed from
 * the parameters' current values with tensor ops so that autograd gives its Jacobian. Return
 * the residuals (any shape; they are flattened); do not call {@code backward()}.
 *
 * <pre>{@code
 * ResidualFunction r = () -> b1.mul(b2.mul(x).neg().exp().neg().add(1)).sub(y);   // b1 (1 - e^(-b2 x)) - y
 * }</pre>
 */
@FunctionalInterface
public interface ResidualFunction {
    Tensor compute();
}
