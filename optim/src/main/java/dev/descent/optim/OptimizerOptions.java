package dev.descent.optim;

/**
 * The fluent form every optimizer's hyperparameters are set with, e.g.
 * {@code Adam.options().lr(1e-3).betas(0.9, 0.999).amsgrad(true)}. Only values set explicitly
 * are recorded; the optimizer fills in its defaults and validates the result when it is built.
 *
 * @param <T> the concrete options type, so that setters chain
 */
public abstract class OptimizerOptions<T extends OptimizerOptions<T>> {
    private final Hyperparameters values = new Hyperparameters();

    /**
     * Sets a hyperparameter by its name (a Double, Boolean or double[] pair); the typed setters
     * call this, and it serves generic configuration such as {@code adam:lr=0.01}. Unknown names
     * are reported when the optimizer is built.
     */
    @SuppressWarnings("unchecked")
    public final T set(String name, Object value) {
        values.put(name, value);
        return (T) this;
    }

    /** The learning rate. */
    public T lr(double lr) {
        return set("lr", lr);
    }

    /** The values set so far. */
    Hyperparameters values() {
        return values;
    }
}
