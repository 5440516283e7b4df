package dev.descent.optim;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The base of every optimizer, shaped as {@code torch.optim.Optimizer}: parameter groups with
 * their own hyperparameters, per-parameter state created lazily at the first step,
 * {@link #step()} / {@link #step(LossClosure)}, and state dicts for resuming.
 *
 * <pre>{@code
 * Optimizer adam = new Adam(model.parameters(), Adam.options().lr(1e-3));
 * for (Batch batch : loader) {
 *     adam.zeroGrad();
 *     Losses.crossEntropy(model.forward(batch.input()), batch.target()).backward();
 *     adam.step();
 * }
 * }</pre>
 * Updates run in place on each parameter's array, outside the graph. Parameters without a
 * gradient are skipped.
 */
public abstract class Optimizer {
    private final String name;
    private final List<ParamGroup> groups;
    private final Set<String> known;
    private final Map<Tensor, Map<String, NDArray>> state = new IdentityHashMap<>();

    /**
     * @param name      the optimizer's name in messages
     * @param defaults  every hyperparameter with its default (these names are the valid ones)
     * @param options   values the user set for all groups
     * @param groups    the parameter groups, whose own values override both
     */
    protected Optimizer(String name, Hyperparameters defaults, OptimizerOptions<?> options, List<ParamGroup> groups) {
        this.name = name;
        this.known = Collections.unmodifiableSet(defaults.names());
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(name + ": no parameter groups were given");
        }
        checkNames(options.values());
        checkKinds(defaults, options.values());
        Hyperparameters base = new Hyperparameters();
        base.putAll(defaults);
        base.putAll(options.values());
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup group : groups) {
            checkNames(group);
            checkKinds(defaults, group);
            for (String key : base.names()) {
                if (!group.has(key)) {
                    group.put(key, base.get(key));
                }
            }
            for (Tensor p : group.params()) {
                if (!p.isLeaf() || !p.dtype().isFloatingPoint()) {
                    throw new IllegalArgumentException(name + ": can only optimize floating-point leaf tensors, got "
                            + (p.isLeaf() ? p.dtype() + " tensor" : "a tensor computed by " + p.gradFnName()));
                }
                if (!seen.add(p)) {
                    throw new IllegalArgumentException(name + ": a parameter appears in more than one place");
                }
            }
            validate(group);
        }
        this.groups = List.copyOf(groups);
    }

    /** One group holding every parameter. */
    protected static List<ParamGroup> single(List<? extends Tensor> params) {
        return List.of(ParamGroup.of(params));
    }

    private void checkNames(Hyperparameters values) {
        for (String key : values.names()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(name + ": unknown hyperparameter '" + key + "'; valid: " + known);
            }
        }
    }

    /** Each value must be of its default's kind: a number where a number is expected, and so on. */
    private void checkKinds(Hyperparameters defaults, Hyperparameters values) {
        for (String key : values.names()) {
            Object expected = defaults.get(key);
            Object given = values.get(key);
            if (!expected.getClass().equals(given.getClass())) {
                throw new IllegalArgumentException(name + ": hyperparameter '" + key + "' expects " + kind(expected) + ", got "
                        + Hyperparameters.describe(given));
            }
        }
    }

    private static String kind(Object value) {
        return value instanceof Double ? "a number" : value instanceof Boolean ? "true or false" : value instanceof double[] ? "a pair a/b"
                : "a name";
    }

    /** Checks one group's hyperparameters, naming the first invalid one. */
    protected abstract void validate(ParamGroup group);

    /**
     * Updates one parameter in place from its gradient ({@code maximize} already applied) and its
     * state (empty at the first step; fill it then).
     */
    protected abstract void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state);

    /** The groups, whose hyperparameters (such as the learning rate) may be changed between steps. */
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** The name used in messages, e.g. {@code Adam}. */
    public String name() {
        return name;
    }

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (ParamGroup group : groups) {
            group.params().forEach(Tensor::zeroGrad);
        }
    }

    /**
     * Whether a step can be captured into a CUDA graph: every group keeps the values that change
     * from step to step (step count, learning rate) in device memory (Adam's and AdamW's
     * {@code capturable}).
     */
    public boolean capturable() {
        for (ParamGroup group : groups) {
            if (!group.has("capturable") || !group.getBoolean("capturable")) {
                return false;
            }
        }
        return true;
    }

    /** One update of every parameter that has a gradient. */
    public void step() {
        step(null);
    }

    /** Evaluates {@code closure} (if not null) with gradients enabled, then updates; returns the loss. */
    public Tensor step(LossClosure closure) {
        Tensor loss = null;
        if (closure != null) {
            try (GradMode.Scope ignored = GradMode.enableGrad()) {
                loss = closure.evaluate();
            }
        }
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (ParamGroup group : groups) {
                boolean maximize = group.has("maximize") && group.getBoolean("maximize");
                for (Tensor p : group.params()) {
                    if (p.grad() == null) {
                        continue;
                    }
                    NDArray grad = p.grad().data();
                    update(p.data(), maximize ? grad.neg() : grad, group, stateOf(p));
                }
            }
        }
        return loss;
    }

    /** The state of parameter {@code p}, created empty on first use. */
    protected Map<String, NDArray> stateOf(Tensor p) {
        return state.computeIfAbsent(p, k -> new LinkedHashMap<>());
    }

    /**
     * The state array {@code key}, created by {@code initial} when absent. State lives as long as
     * the optimizer: it is made outside any memory scope open around the step that first needs it.
     */
    protected static NDArray stateArray(Map<String, NDArray> state, String key, Supplier<NDArray> initial) {
        return state.computeIfAbsent(key, k -> MemoryScope.collect(initial).withoutOwner());
    }

    /**
     * The gradient with the group's coupled L2 penalty, g + weightDecay &middot; &theta; (torch.optim's
     * {@code weight_decay}); the gradient itself when weightDecay is 0.
     */
    protected static NDArray withWeightDecay(NDArray grad, NDArray param, ParamGroup group) {
        double weightDecay = group.getDouble("weightDecay");
        return weightDecay != 0 ? grad.add(param.mul(weightDecay)) : grad;
    }

    /** Adds one to the state's step counter (a 0-d FLOAT64 array) and returns the new count. */
    protected static double incrementStep(Map<String, NDArray> state) {
        NDArray step = stateArray(state, "step", () -> NDArray.scalar(dev.descent.core.DType.FLOAT64, 0));
        step.addi(1);
        return step.item();
    }

    // ---------------------------------------------------------------- validation helpers

    protected final void requireAtLeastZero(ParamGroup group, String key) {
        double value = group.getDouble(key);
        if (!(value >= 0)) {
            throw new IllegalArgumentException(name + ": invalid " + key + " " + value + " (expected >= 0)");
        }
    }

    protected final void requireUnitInterval(ParamGroup group, String key) {
        double value = group.getDouble(key);
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + ": invalid " + key + " " + value + " (expected 0 <= " + key + " <= 1)");
        }
    }

    protected final void requireBetas(ParamGroup group) {
        double[] betas = group.getPair("betas");
        for (int i = 0; i < 2; i++) {
            if (!(betas[i] >= 0 && betas[i] < 1)) {
                throw new IllegalArgumentException(name + ": invalid betas[" + i + "] " + betas[i] + " (expected 0 <= beta < 1)");
            }
        }
    }

    // ---------------------------------------------------------------- state dicts

    /** A copy of the hyperparameters and state, for {@link #loadStateDict}. */
    public OptimizerState stateDict() {
        List<Map<String, Object>> groupStates = new ArrayList<>();
        Map<Integer, Map<String, NDArray>> states = new LinkedHashMap<>();
        int index = 0;
        for (ParamGroup group : groups) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (String key : group.names()) {
                values.put(key, group.get(key));
            }
            List<Integer> indices = new ArrayList<>();
            for (Tensor p : group.params()) {
                Map<String, NDArray> own = state.get(p);
                if (own != null) {
                    Map<String, NDArray> copy = new LinkedHashMap<>();
                    own.forEach((k, v) -> copy.put(k, v.copy()));
                    states.put(index, copy);
                }
                indices.add(index++);
            }
            values.put("params", List.copyOf(indices));
            groupStates.add(values);
        }
        return new OptimizerState(groupStates, states);
    }

    /** Restores a snapshot taken from an optimizer of the same kind over parameters of the same shapes. */
    public void loadStateDict(OptimizerState snapshot) {
        if (snapshot.paramGroups().size() != groups.size()) {
            throw new IllegalArgumentException(name + ".loadStateDict: the snapshot has " + snapshot.paramGroups().size()
                    + " parameter groups but this optimizer has " + groups.size());
        }
        List<Tensor> all = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Object indices = snapshot.paramGroups().get(g).get("params");
            int size = groups.get(g).params().size();
            if (!(indices instanceof List<?> list) || list.size() != size) {
                throw new IllegalArgumentException(name + ".loadStateDict: group " + g + " has " + size
                        + " parameters here but a different number in the snapshot");
            }
            all.addAll(groups.get(g).params());
        }
        for (Map.Entry<Integer, Map<String, NDArray>> entry : snapshot.state().entrySet()) {
            int index = entry.getKey();
            if (index < 0 || index >= all.size()) {
                throw new IllegalArgumentException(name + ".loadStateDict: state for parameter " + index + " but there are "
                        + all.size());
            }
            for (Map.Entry<String, NDArray> array : entry.getValue().entrySet()) {
                NDArray value = array.getValue();
                if (value.rank() > 0 && !java.util.Arrays.equals(value.shape(), all.get(index).shape())) {
                    throw new IllegalArgumentException(name + ".loadStateDict: '" + array.getKey() + "' of parameter " + index
                            + " has shape " + java.util.Arrays.toString(value.shape()) + " but the parameter has "
                            + java.util.Arrays.toString(all.get(index).shape()));
                }
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            for (Map.Entry<String, Object> entry : snapshot.paramGroups().get(g).entrySet()) {
                if (!entry.getKey().equals("params")) {
                    groups.get(g).put(entry.getKey(), entry.getValue());
                }
            }
            validate(groups.get(g));
        }
        state.clear();
        snapshot.state().forEach((index, arrays) -> {
            Map<String, NDArray> copy = new LinkedHashMap<>();
            arrays.forEach((k, v) -> copy.put(k, v.copy()));
            state.put(all.get(index), copy);
        });
    }
}
