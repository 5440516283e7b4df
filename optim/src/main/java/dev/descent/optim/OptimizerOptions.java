package dev.descent.optim;

import dev.descent.optim.firstorder.Adam;

/**
 * The fluent form every optimizer's hyperparameters are set with, e.g.
 * {@code Adam.options().lr(1e-3).betas(0.9, 0.999).amsgrad(true)}. Each value is checked against
 * the optimizer's declaration when it is set (an unknown name, a value of the wrong kind or out of
 * range is an {@link IllegalArgumentException} naming the optimizer); only values set explicitly
 * are recorded, and the optimizer fills in its defaults when it is built.
 *
 * @param <T> the concrete options type, so that setters chain
 */
public abstract class OptimizerOptions<T extends OptimizerOptions<T>> implements CommonHyperparameters.Settable<T> {
    private final HyperparameterSpec spec;
    private final Hyperparameters values = new Hyperparameters();

    protected OptimizerOptions(HyperparameterSpec spec) {
        this.spec = spec;
    }

    /** Sets a hyperparameter by its declaration; the typed setters call this. */
    @Override
    public final <V> T set(Hyperparameter<V> declaration, V value) {
        return set(declaration.name(), value);
    }

    /**
     * Sets a hyperparameter by its name (a Double, Integer, Boolean, double[] pair or String), as
     * generic configuration such as {@code adam:lr=0.01} does.
     */
    @SuppressWarnings("unchecked")
    public final T set(String name, Object value) {
        values.put(name, spec.check(name, value));
        return (T) this;
    }

    /** The learning rate. */
    public T lr(double lr) {
        return set("lr", lr);
    }

    /** The declarations these options accept. */
    public HyperparameterSpec spec() {
        return spec;
    }

    /** The values set so far. */
    Hyperparameters values() {
        return values;
    }
}
