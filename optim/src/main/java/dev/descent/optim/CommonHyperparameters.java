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

    /** The setter of {@code weightDecay}. */
    public interface WithWeightDecay<T> {
        <V> T set(Hyperparameter<V> declaration, V value);

        default T weightDecay(double value) {
            return set(WEIGHT_DECAY, value);
        }
    }

    /** The setter of {@code eps}. */
    public interface WithEps<T> {
        <V> T set(Hyperparameter<V> declaration, V value);

        default T eps(double value) {
            return set(EPS, value);
        }
    }

    /** The setter of {@code maximize}. */
    public interface WithMaximize<T> {
        <V> T set(Hyperparameter<V> declaration, V value);

        default T maximize(boolean value) {
            return set(MAXIMIZE, value);
        }
    }

    /** The setter of {@code momentum}. */
    public interface WithMomentum<T> {
        <V> T set(Hyperparameter<V> declaration, V value);

        default T momentum(double value) {
            return set(MOMENTUM, value);
        }
    }
}
