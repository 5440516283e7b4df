package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import dev.descent.optim.firstorder.SGD;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    /** The learning rate where a capturable step reads it: a 0-d FLOAT64 copy per device, kept equal to {@link #lr()}. */
    private final Map<Device, NDArray> deviceLr = new HashMap<>();
    /** The declarations of the optimizer that owns the group, which check every later change. */
    private HyperparameterSpec spec;

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
        updateDeviceLr();
    }

    void declaredBy(HyperparameterSpec owner) {
        this.spec = owner;
    }

    /**
     * The learning rate as a 0-d FLOAT64 array on {@code device}, for optimizer steps captured
     * into a graph (which cannot take it as a number that changes); every later change of the
     * learning rate is copied there at once. Made, and uploaded, on first use.
     */
    public NDArray deviceLr(Device device) {
        return deviceLr.computeIfAbsent(device, d -> MemoryScope.collect(() -> NDArray.scalar(DType.FLOAT64, lr()).to(d)).withoutOwner());
    }

    private void updateDeviceLr() {
        for (Map.Entry<Device, NDArray> copy : deviceLr.entrySet()) {
            NDArray value = NDArray.scalar(DType.FLOAT64, lr()).to(copy.getKey());
            copy.getValue().copyFrom(value);
            value.storage().release();
        }
    }

    /** The learning rate schedules start from: set by the first schedule attached to the optimizer. */
    public double initialLr() {
        return initialLr;
    }

    /** Sets {@link #initialLr()}: for schedules, when they attach or load their state. */
    public void setInitialLr(double value) {
        initialLr = value;
    }

    /** Changes any hyperparameter of this group (schedules cycle {@code momentum} or {@code betas}). */
    public void set(String name, Object value) {
        if (!has(name)) {
            throw new IllegalArgumentException("set: this group has no hyperparameter '" + name + "'; it has " + names());
        }
        put(name, spec == null ? value : spec.check(name, value));
        if (name.equals("lr")) {
            updateDeviceLr();
        }
    }
}
