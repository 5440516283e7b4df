package dev.descent.optim;

import dev.descent.autograd.Tensor;
import java.util.List;

/**
 * Parameters that share hyperparameters, e.g. a larger learning rate for the lower layers.
 * Values set on the group override the optimizer's defaults; the rest come from the defaults.
 *
 * <pre>{@code
 * Optimizer sgd = new SGD(SGD.options().lr(0.01).momentum(0.9),
 *         ParamGroup.of(backbone.parameters(), SGD.options().lr(0.001)),
 *         ParamGroup.of(head.parameters()));
 * sgd.paramGroups().get(1).setLr(0.02);
 * }</pre>
 */
public final class ParamGroup extends Hyperparameters {
    private final List<Tensor> params;
    /** The learning rate when the first schedule was attached (PyTorch's {@code initial_lr}); NaN before. */
    private double initialLr = Double.NaN;

    private ParamGroup(List<? extends Tensor> params) {
        if (params == null) {
            throw new IllegalArgumentException("ParamGroup: params must not be null");
        }
        this.params = List.copyOf(params);
    }

    /** A group that takes every hyperparameter from the optimizer's defaults. */
    public static ParamGroup of(List<? extends Tensor> params) {
        return new ParamGroup(params);
    }

    /** A group whose explicitly set {@code overrides} take precedence over the optimizer's defaults. */
    public static ParamGroup of(List<? extends Tensor> params, OptimizerOptions<?> overrides) {
        ParamGroup group = new ParamGroup(params);
        group.putAll(overrides.values());
        return group;
    }

    /** The parameters, in order. */
    public List<Tensor> params() {
        return params;
    }

    /** The learning rate. */
    public double lr() {
        return getDouble("lr");
    }

    /** Changes the learning rate, as schedules do. */
    public void setLr(double lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("setLr: the learning rate must be >= 0, got " + lr);
        }
        put("lr", lr);
    }

    /** The learning rate schedules start from: set by the first schedule attached to the optimizer. */
    public double initialLr() {
        return initialLr;
    }

    void initialLr(double value) {
        initialLr = value;
    }

    /** Changes any hyperparameter of this group (schedules cycle {@code momentum} or {@code betas}). */
    public void set(String name, Object value) {
        if (!has(name)) {
            throw new IllegalArgumentException("set: this group has no hyperparameter '" + name + "'; it has " + names());
        }
        put(name, value);
    }
}
