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

    /**
     * The setters of the two flags {@link AdaptiveMomentOptimizer#adamStep} reads, {@code amsgrad}
     * and {@code capturable}: Adam's and AdamW's.
     *
     * @param <T> the concrete options type, so that setters chain
     */
    public interface WithAmsgradAndCapturable<T> extends CommonHyperparameters.Settable<T> {
        /** Uses the maximum of past second-moment estimates (AMSGrad). */
        default T amsgrad(boolean value) { return set(Adam.AMSGRAD, value); }

        /**
         * Keeps the step count and the learning rate in device memory, where the update kernel reads
         * them, so that the whole training step can be captured into a CUDA graph and replayed
         * (PyTorch's {@code capturable}); the same results. Set it before the first step.
         */
        default T capturable(boolean value) { return set(Adam.CAPTURABLE, value); }
    }
}
