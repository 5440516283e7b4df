package dev.descent.optim;

/**
 * The hyperparameters the Adam family shares: {@code betas}, {@code eps}, {@code weightDecay}
 * and {@code maximize}. Each member adds its own (AMSGrad, momentum decay) in its Options.
 *
 * @param <T> the concrete options type, so that setters chain
 */
public abstract class AdaptiveMomentOptions<T extends AdaptiveMomentOptions<T>> extends OptimizerOptions<T> {
    /** Decay rates of the first and second moment estimates. */
    public T betas(double first, double second) {
        return set("betas", new double[] {first, second});
    }

    /** Added to the denominator for numerical stability. */
    public T eps(double value) {
        return set("eps", value);
    }

    public T weightDecay(double value) {
        return set("weightDecay", value);
    }

    /** Maximizes the objective instead of minimizing it. */
    public T maximize(boolean value) {
        return set("maximize", value);
    }
}
