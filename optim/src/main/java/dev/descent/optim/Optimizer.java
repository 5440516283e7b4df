package dev.descent.optim;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.AdamW;
import dev.descent.optim.firstorder.SGD;
import dev.descent.optim.secondorder.Newton;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The contract every optimizer keeps, first- and second-order, shaped as {@code torch.optim.Optimizer}:
 * parameter groups with their own hyperparameters, per-parameter state created lazily at the
 * first step, {@link #step(LossClosure)} with a closure that re-evaluates the loss, and state
 * dicts for resuming.
 *
 * <pre>{@code
 * Optimizer optimizer = Optimizers.create("lbfgs:lineSearch=strong_wolfe", model.parameters());
 * for (Batch batch : loader) {
 *     optimizer.step(() -> {
 *         optimizer.zeroGrad();
 *         Tensor loss = Losses.crossEntropy(model.forward(batch.input()), batch.target());
 *         loss.backward();
 *         return loss;
 *     });
 * }
 * }</pre>
 * The closure clears the gradients, computes the loss, calls {@code backward()} and returns the
 * loss. Methods that need one gradient per step (the element-wise ones,
 * {@link ElementwiseOptimizer}) also take {@link #step()} after the caller's own backward pass;
 * methods that evaluate the loss more than once per step (line searches, quasi-Newton, Newton)
 * need the closure. Least-squares methods ({@link #closureKind()} {@code RESIDUALS}) take a
 * closure that returns the residual vector r instead, without calling {@code backward()}.
 * Updates run in place on each parameter's array, outside the graph. {@link #lastStep()} tells
 * what the last step did, in one shape for every method.
 */
public abstract class Optimizer {

    /** What the closure of {@link #step(LossClosure)} returns. */
    public enum ClosureKind {
        /** The scalar loss, after {@code backward()}. */
        LOSS,
        /** The residual vector r of a least-squares problem (the loss is &frac12;&Vert;r&Vert;&sup2;); no {@code backward()}. */
        RESIDUALS
    }

    private final HyperparameterSpec spec;
    private final List<ParamGroup> groups;
    private final Map<Tensor, Map<String, NDArray>> state = new IdentityHashMap<>();

    /**
     * @param spec     the algorithm's hyperparameters (its name is the optimizer's name in messages)
     * @param options  values the user set for all groups
     * @param groups   the parameter groups, whose own values override both
     */
    protected Optimizer(HyperparameterSpec spec, OptimizerOptions<?> options, List<ParamGroup> groups) {
        this.spec = spec;
        String name = spec.owner();
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(name + ": no parameter groups were given");
        }
        Hyperparameters base = spec.defaults();
        for (String key : options.values().names()) {
            base.put(key, spec.check(key, options.values().get(key)));
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (ParamGroup group : groups) {
            for (String key : group.names()) {
                group.put(key, spec.check(key, group.get(key)));
            }
            for (String key : base.names()) {
                if (!group.has(key)) {
                    group.put(key, base.get(key));
                }
            }
            spec.requireSet(group);
            group.declaredBy(spec);
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

    /** Checks rules that tie several hyperparameters of a group together (SGD's Nesterov needs momentum); none by default. */
    protected void validate(ParamGroup group) {
    }

    /** The groups, whose hyperparameters (such as the learning rate) may be changed between steps. */
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** The name used in messages, e.g. {@code Adam}. */
    public String name() {
        return spec.owner();
    }

    /** The algorithm's hyperparameters with their kinds, defaults and rules (for help texts). */
    public HyperparameterSpec hyperparameters() {
        return spec;
    }

    /**
     * The bytes of the dense n &times; n matrices the method keeps or forms for {@code parameters}
     * = n (BFGS's inverse-Hessian approximation, Newton's Hessian and its factor); 0 for the methods
     * that keep a few vectors of n. The dense methods refuse a model whose matrices would take more
     * than half the Java heap.
     */
    public double denseMatrixBytes(long parameters) {
        return 0;
    }

    /** Whether the method forms a dense n &times; n matrix of its n parameters, which suits models of up to a few thousand. */
    public final boolean usesDenseMatrix() {
        return denseMatrixBytes(1) > 0;
    }

    /** What the closure of {@link #step(LossClosure)} must return: the loss (the default) or residuals. */
    public ClosureKind closureKind() {
        return ClosureKind.LOSS;
    }

    /** Clears the gradient of every parameter: each {@code grad()} becomes null (as {@code zeroGrad(true)}). */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears the gradient of every parameter, as PyTorch's {@code zero_grad(set_to_none)}. With
     * {@code setToNone = false} the gradient arrays are kept and zeroed, and the next backward adds
     * into them in place (a Linear layer's weight gradient straight from the GEMM): the lean
     * choice on the JVM, where a training step otherwise allocates every weight gradient anew for
     * the garbage collector. A parameter that received no gradient in a step then holds zeros, not
     * null, and the element-wise methods update it as with a zero gradient.
     */
    public void zeroGrad(boolean setToNone) {
        for (ParamGroup group : groups) {
            group.params().forEach(p -> p.zeroGrad(setToNone));
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

    /**
     * One update from the gradients the caller's backward pass left, for methods that need one
     * gradient per step; the others refuse it, saying to pass a closure.
     */
    public void step() {
        throw new IllegalStateException(name() + ": step() needs a closure that re-evaluates the loss and its gradients; use step(closure)");
    }

    /**
     * One step: evaluates {@code closure} as often as the method needs (once for the element-wise
     * methods) and updates the parameters; returns the loss of the first evaluation, as
     * {@code torch.optim} does.
     */
    public abstract Tensor step(LossClosure closure);

    /** The account of the last step (null before the first). */
    public abstract StepResult lastStep();

    /**
     * Evaluates a loss closure with gradients enabled and checks what it did: it returned a loss
     * with one element and left a gradient on some parameter (it called {@code backward()}).
     */
    protected final Tensor evaluateLoss(LossClosure closure) {
        return evaluateLoss(closure, false);
    }

    /**
     * As {@link #evaluateLoss(LossClosure)}; with {@code differentiable} the closure's backward pass
     * records its own graph ({@link GradMode#differentiableBackward()}), so the gradients it leaves
     * can be differentiated again (Newton's methods).
     */
    protected final Tensor evaluateLoss(LossClosure closure, boolean differentiable) {
        if (closure == null) {
            throw new IllegalArgumentException(name() + ": step(closure) got a null closure; pass one that zeroes the gradients, computes"
                    + " the loss, calls backward() and returns the loss");
        }
        Tensor loss;
        try (GradMode.Scope ignored = GradMode.enableGrad();
             GradMode.Scope backward = differentiable ? GradMode.differentiableBackward() : null) {
            loss = closure.evaluate();
        }
        if (loss == null) {
            throw new IllegalArgumentException(name() + ": the closure returned no loss; it must return the loss it called backward() on");
        }
        if (loss.size() != 1) {
            throw new IllegalArgumentException(name() + ": the closure returned a loss of shape " + java.util.Arrays.toString(loss.shape())
                    + "; expected a scalar (one element)");
        }
        for (ParamGroup group : groups) {
            for (Tensor p : group.params()) {
                if (p.grad() != null) {
                    return loss;
                }
            }
        }
        throw new IllegalArgumentException(name() + ": after the closure no parameter has a gradient; the closure must call"
                + " loss.backward() before returning the loss");
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
        String name = name();
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
                checkLoadedState(index, array.getKey(), array.getValue(), all.get(index));
            }
        }
        for (int g = 0; g < groups.size(); g++) {
            for (Map.Entry<String, Object> entry : snapshot.paramGroups().get(g).entrySet()) {
                if (!entry.getKey().equals("params")) {
                    groups.get(g).put(entry.getKey(), spec.check(entry.getKey(), entry.getValue()));
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
        stateLoaded();
    }

    /**
     * Checks one loaded state array against its parameter: by default a per-parameter array
     * (rank &gt; 0) has the parameter's shape; methods that keep whole-model state override this.
     */
    protected void checkLoadedState(int index, String key, NDArray value, Tensor param) {
        if (value.rank() > 0 && !java.util.Arrays.equals(value.shape(), param.shape())) {
            throw new IllegalArgumentException(name() + ".loadStateDict: '" + key + "' of parameter " + index + " has shape "
                    + java.util.Arrays.toString(value.shape()) + " but the parameter has " + java.util.Arrays.toString(param.shape()));
        }
    }

    /** Called after {@link #loadStateDict}: methods that mirror their state in fields re-read it here. */
    protected void stateLoaded() {
    }
}
