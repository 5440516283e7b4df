package dev.descent.optim.firstorder;

import dev.descent.optim.CommonHyperparameters;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.OptimizerOptions;

/**
 * The options the Adam family shares: {@code betas}, {@code eps}, {@code weightDecay} and
 * {@code maximize} (and {@code lr}). Each member adds its own (AMSGrad, momentum decay).
 *
 * @param <T> the concrete options type, so that setters chain
 */
public abstract class AdaptiveMomentOptions<T extends AdaptiveMomentOptions<T>> extends OptimizerOptions<T>
        implements CommonHyperparameters.WithEps<T>, CommonHyperparameters.WithWeightDecay<T>, CommonHyperparameters.WithMaximize<T> {

    protected AdaptiveMomentOptions(HyperparameterSpec spec) {
        super(spec);
    }

    /** Decay rates of the first and second moment estimates. */
    public T betas(double first, double second) {
        return set(AdaptiveMomentOptimizer.BETAS, new double[] {first, second});
    }
}
