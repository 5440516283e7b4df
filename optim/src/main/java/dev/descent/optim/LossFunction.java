package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.optim.secondorder.HessianAnalysis;
import dev.descent.optim.secondorder.Newton;
import dev.descent.optim.secondorder.NewtonCG;

/**
 * The scalar loss of the parameters' current values, for methods that differentiate it twice
 * ({@link Newton}, {@link NewtonCG}, {@link HessianAnalysis}). Build the loss with tensor ops and
 * return it; do not call {@code backward()}: the method takes the gradient with a graph of its
 * own so that it can differentiate again.
 *
 * <pre>{@code
 * LossFunction loss = () -> Losses.mse(model.forward(x), y);
 * }</pre>
 */
@FunctionalInterface
public interface LossFunction {
    Tensor compute();
}
