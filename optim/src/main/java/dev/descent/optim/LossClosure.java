package dev.descent.optim;

import dev.descent.autograd.Tensor;

/**
 * Re-evaluates the model for {@link Optimizer#step(LossClosure)}: clears the gradients, computes
 * the loss, calls {@code backward()} and returns the loss, as a {@code torch.optim} closure does.
 *
 * <pre>{@code
 * Tensor loss = optimizer.step(() -> {
 *     optimizer.zeroGrad();
 *     Tensor l = Losses.mse(model.forward(x), y);
 *     l.backward();
 *     return l;
 * });
 * // the same closure, written for you:
 * optimizer.step(LossClosure.of(optimizer, () -> Losses.mse(model.forward(x), y)));
 * }</pre>
 * Least-squares optimizers ({@link Optimizer.ClosureKind#RESIDUALS}) read what the closure returns as
 * the residual vector instead; see {@link ResidualClosure}.
 */
@FunctionalInterface
public interface LossClosure {
    Tensor evaluate();

    /** The usual closure around {@code loss}: zero {@code optimizer}'s gradients, compute the loss, backward, return it. */
    static LossClosure of(Optimizer optimizer, LossFunction loss) {
        return () -> {
            optimizer.zeroGrad();
            Tensor value = loss.compute();
            if (value != null && value.requiresGrad() && value.size() == 1) {
                value.backward();
            }
            return value;
        };
    }
}
