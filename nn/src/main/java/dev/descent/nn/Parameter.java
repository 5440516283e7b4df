package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.Device;
import dev.descent.core.NDArray;

/**
 * A trainable tensor of a {@link Module}: a leaf that requires grad, named (with its dotted path,
 * such as {@code layers.0.weight}) once a module registers it.
 */
public class Parameter extends Tensor {
    private String name;

    /** A parameter over {@code data} (shared, not copied). */
    public Parameter(NDArray data) {
        super(data, true);
    }

    /** The registered name within its module, or null before registration. */
    public String name() {
        return name;
    }

    /** Moves the values (and gradient) to {@code device}, keeping this object; see {@link Module#to}. */
    void moveTo(Device device) {
        moveDataTo(device);
    }

    void name(String registeredName) {
        this.name = registeredName;
    }

    @Override
    public String toString() {
        return "Parameter " + (name == null ? "" : name + " ") + super.toString();
    }
}
