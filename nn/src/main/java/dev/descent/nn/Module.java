package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.Device;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The base of every layer and model. A module owns parameters (trained), buffers (state saved
 * with the model but not trained, such as BatchNorm's running statistics) and child modules, all
 * registered by name in the constructor; {@link #namedParameters()} then finds them with dotted
 * paths in registration order.
 *
 * <p>A custom layer composes tensor operations and gets its backward for free:
 * <pre>{@code
 * final class Residual extends Module {
 *     private final Linear inner;
 *
 *     Residual(int features) {
 *         inner = registerModule("inner", new Linear(features, features));
 *     }
 *
 *     @Override
 *     public Tensor forward(Tensor x) {
 *         return x.add(inner.forward(x).relu());
 *     }
 * }
 * }</pre>
 *
 * <p>A layer can also rest on a hand-written {@link dev.descent.autograd.Function} (a custom
 * forward and backward), with its own trainable parameters passed as inputs:
 * <pre>{@code
 * final class LearnedSwish extends Module {
 *     private final Parameter beta = registerParameter("beta", new Parameter(NDArray.ones(1)));
 *
 *     @Override
 *     public Tensor forward(Tensor x) {
 *         return new SwishFunction().apply(x, beta);   // SwishFunction extends Function
 *     }
 * }
 * }</pre>
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the module's output. */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /** Registers a parameter under {@code name} (unique among this module's entries); returns it. */
    protected <P extends Parameter> P registerParameter(String name, P parameter) {
        checkName(name);
        parameters.put(name, parameter);
        parameter.name(name);
        return parameter;
    }

    /** Registers a buffer: saved in the state dict, moved with the module, never trained. */
    protected NDArray registerBuffer(String name, NDArray buffer) {
        checkName(name);
        buffers.put(name, buffer);
        return buffer;
    }

    /**
     * The buffer registered under {@code name} in this module. Read buffers through it rather
     * than keeping the registered array in a field: {@link #to} replaces the array.
     */
    protected NDArray buffer(String name) {
        NDArray buffer = buffers.get(name);
        if (buffer == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer '" + name + "'; registered: "
                    + buffers.keySet());
        }
        return buffer;
    }

    /** Registers a child module; its entries appear under {@code name.}. */
    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        if (module == this) {
            throw new IllegalArgumentException("registerModule: a module cannot contain itself");
        }
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": entry names must be non-empty and contain no"
                    + " '.', got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' is already registered");
        }
    }

    // ---------------------------------------------------------------- devices

    /**
     * Moves every parameter and buffer of this module and its descendants to {@code device}, in
     * place: the {@link Parameter} objects stay the same (their values move), so references held
     * by layers stay valid. Create the optimizer after moving, as in PyTorch, so its state is
     * allocated on the device. Returns this module.
     * <pre>{@code
     * Sequential model = new Sequential(new Linear(784, 128), new BatchNorm1d(128), new ReLU(), new Linear(128, 10));
     * model.to(Device.cuda(0));
     * Adam adam = new Adam(model.parameters(), Adam.options().lr(1e-3));
     * Tensor logits = model.forward(images.to(Device.cuda(0)));
     * }</pre>
     */
    public Module to(Device device) {
        if (device == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".to: device must not be null");
        }
        // the weights live as long as the module, not as long as a memory scope that happens to be open
        MemoryScope.collect(() -> {
            for (Parameter parameter : parameters.values()) {
                parameter.moveTo(device);
            }
            buffers.replaceAll((name, buffer) -> buffer.to(device));
            for (Module child : children.values()) {
                child.to(device);
            }
            return this;
        }).withoutOwner();
        return this;
    }

    // ---------------------------------------------------------------- traversal

    /** Every parameter of this module and its descendants, in registration order. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every parameter by dotted path, such as {@code layers.0.weight}, in registration order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> result = new LinkedHashMap<>();
        collect("", result, null);
        return result;
    }

    /** Every buffer by dotted path. */
    public Map<String, NDArray> namedBuffers() {
        Map<String, NDArray> result = new LinkedHashMap<>();
        collect("", null, result);
        return result;
    }

    private void collect(String prefix, Map<String, Parameter> params, Map<String, NDArray> buffersOut) {
        if (params != null) {
            parameters.forEach((name, p) -> params.put(prefix + name, p));
        }
        if (buffersOut != null) {
            buffers.forEach((name, b) -> buffersOut.put(prefix + name, b));
        }
        children.forEach((name, child) -> child.collect(prefix + name + ".", params, buffersOut));
    }

    /** The direct children by name. */
    public Map<String, Module> namedChildren() {
        return new LinkedHashMap<>(children);
    }

    /** Calls {@code function} on every descendant and then on this module (children first, as PyTorch). */
    public Module apply(Consumer<Module> function) {
        for (Module child : children.values()) {
            child.apply(function);
        }
        function.accept(this);
        return this;
    }

    // ---------------------------------------------------------------- modes and gradients

    /** Training mode for this module and its descendants (dropout active, batch statistics); returns this. */
    public Module train() {
        return train(true);
    }

    /** Training ({@code true}) or evaluation mode for this module and its descendants; returns this. */
    public Module train(boolean mode) {
        apply(m -> m.training = mode);
        return this;
    }

    /** Evaluation mode (dropout off, running statistics); returns this. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears every parameter's gradient: each {@code grad()} becomes null. */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /** Clears every parameter's gradient, keeping the arrays (zeroed) unless {@code setToNone}; see {@link Tensor#zeroGrad(boolean)}. */
    public void zeroGrad(boolean setToNone) {
        parameters().forEach(p -> p.zeroGrad(setToNone));
    }

    /** Freezes ({@code false}) or unfreezes every parameter; a frozen parameter gets no gradient. Returns this. */
    public Module requiresGrad(boolean requires) {
        parameters().forEach(p -> p.requiresGrad(requires));
        return this;
    }

    /** The number of parameter elements. */
    public long parameterCount() {
        return parameters().stream().mapToLong(Tensor::size).sum();
    }

    // ---------------------------------------------------------------- state

    /** Parameters and buffers by dotted path: the live arrays, not copies. */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        collectState("", state);
        return state;
    }

    private void collectState(String prefix, Map<String, NDArray> state) {
        parameters.forEach((name, p) -> state.put(prefix + name, p.data()));
        buffers.forEach((name, b) -> state.put(prefix + name, b));
        children.forEach((name, child) -> child.collectState(prefix + name + ".", state));
    }

    /**
     * Copies values from {@code state} into this module's parameters and buffers. With
     * {@code strict}, every missing key, unexpected key and shape mismatch is reported together
     * and nothing is loaded; without, matching keys are loaded and the rest ignored (a shape
     * mismatch is always an error).
     */
    public void loadStateDict(Map<String, NDArray> state, boolean strict) {
        Map<String, NDArray> own = stateDict();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, NDArray> entry : own.entrySet()) {
            NDArray given = state.get(entry.getKey());
            if (given == null) {
                if (strict) {
                    problems.add("missing key '" + entry.getKey() + "'");
                }
            } else if (!Arrays.equals(given.shape(), entry.getValue().shape())) {
                problems.add("'" + entry.getKey() + "' has shape " + Arrays.toString(given.shape()) + " in the state dict but "
                        + Arrays.toString(entry.getValue().shape()) + " in the module");
            }
        }
        if (strict) {
            for (String key : state.keySet()) {
                if (!own.containsKey(key)) {
                    problems.add("unexpected key '" + key + "'");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: " + String.join("; ", problems));
        }
        for (Map.Entry<String, NDArray> entry : own.entrySet()) {
            NDArray given = state.get(entry.getKey());
            if (given != null) {
                NDArray target = entry.getValue();
                target.copyFrom(given.astype(target.dtype()).to(target.device()));
            }
        }
    }

    /** Writes the state dict to a {@code .safetensors} file, atomically. */
    public void save(Path file) throws IOException {
        Safetensors.save(stateDict(), file);
    }

    /** Loads a {@code .safetensors} file written by {@link #save} or by PyTorch (strict). */
    public void load(Path file) throws IOException {
        loadStateDict(Safetensors.load(file), true);
    }

    // ---------------------------------------------------------------- printing

    /** A one-line description of this layer's configuration, such as {@code in=784, out=512}. */
    protected String describe() {
        return "";
    }

    /** The module tree with each layer's configuration and parameter count, then the totals. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        appendTree(text, "", "");
        long total = parameterCount();
        long trainable = parameters().stream().filter(Tensor::requiresGrad).mapToLong(Tensor::size).sum();
        text.append(String.format("Total parameters: %,d (trainable: %,d)", total, trainable));
        return text.toString();
    }

    private void appendTree(StringBuilder text, String indent, String label) {
        String head = indent + label + getClass().getSimpleName() + "(" + describe() + ")";
        long own = parameters.values().stream().mapToLong(Tensor::size).sum();
        text.append(own > 0 ? String.format("%-56s %,12d params", head, own) : head).append('\n');
        children.forEach((name, child) -> child.appendTree(text, indent + "  ", "(" + name + ") "));
    }
}
