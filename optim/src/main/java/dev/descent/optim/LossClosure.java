package dev.descent.optim;

import dev.descent.autograd.Tensor;

/**
 * Re-evaluates the model for {@link Optimizer#step(LossClosure)}: clears the gradients, computes
 * the loss, calls {@code backward()} and returns the loss.
 *
 * <pre>{@code
 * Tensor loss = optimizer.step(() -> {
 *     optimizer.zeroGrad();
 *     Tensor l = Losses.mse(model.forward(x), y);
 *     l.backward();
 *     return l;
 * });
 * }</pre>
 */
@FunctionalInterface
public interface LossClosure {
    Tensor evaluate();
}
