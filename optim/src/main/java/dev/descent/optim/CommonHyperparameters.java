package dev.descent.optim;

import dev.descent.optim.firstorder.SGD;

/**
 * The hyperparameters several optimizers share, declared once with torch.optim's names and
 * meanings, and the setters that go with them: an optimizer's options class implements the
 * setter interfaces of the hyperparameters it has.
 */
public final class CommonHyperparameters {
    private CommonHyperparameters() {
    }

    /** The learning rate, with this optimizer's default (NaN: the user must set it, as for SGD). */
    public static Hyperparameter<Double> lr(double defaultValue) {
        return Hyperparameter.number("lr", defaultValue, Hyperparameter.Rule.NON_NEGATIVE, "learning rate");
    }

    public static final Hyperparameter<Double> WEIGHT_DECAY = Hyperparameter.number("weightDecay", 0, Hyperparameter.Rule.NON_NEGATIVE,
            "L2 penalty: weightDecay * theta is added to the gradient");
    public static final Hyperparameter<Double> EPS = Hyperparameter.number("eps", 1e-8, Hyperparameter.Rule.NON_NEGATIVE,
            "added to the denominator for numerical stability");
    public static final Hyperparameter<Boolean> MAXIMIZE = Hyperparameter.flag("maximize", false,
            "maximize the objective instead of minimizing it");
    public static final Hyperparameter<Double> MOMENTUM = Hyperparameter.number("momentum", 0, Hyperparameter.Rule.NON_NEGATIVE,
            "momentum factor");

    /**
     * What the setter mixins build on: the options' own {@link OptimizerOptions#set(Hyperparameter, Object)},
     * which checks the value against the optimizer's declaration.
     *
     * @param <T> the concrete options type, so that setters chain
     */
    public interface Settable<T> {
        /** Sets a hyperparameter by its declaration. */
        <V> T set(Hyperparameter<V> declaration, V value);
    }

    /** The setter of {@code weightDecay}. */
    public interface WithWeightDecay<T> extends Settable<T> {
        /** The L2 penalty: weightDecay &middot; &theta; is added to the gradient. */
        default T weightDecay(double value) { return set(WEIGHT_DECAY, value); }
    }

    /** The setter of {@code eps}. */
    public interface WithEps<T> extends Settable<T> {
        /** The term added to the denominator for numerical stability. */
        default T eps(double value) { return set(EPS, value); }
    }

    /** The setter of {@code maximize}. */
    public interface WithMaximize<T> extends Settable<T> {
        /** Whether to maximize the objective instead of minimizing it. */
        default T maximize(boolean value) { return set(MAXIMIZE, value); }
    }

    /** The setter of {@code momentum}. */
    public interface WithMomentum<T> extends Settable<T> {
        /** The momentum factor. */
        default T momentum(double value) { return set(MOMENTUM, value); }
    }
}
