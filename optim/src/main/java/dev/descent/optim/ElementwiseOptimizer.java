package dev.descent.optim;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.optim.firstorder.Adadelta;
import dev.descent.optim.firstorder.Adagrad;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.RMSprop;
import dev.descent.optim.firstorder.SGD;
import java.util.List;
import java.util.Map;

/**
 * The base of the methods that update each parameter from its own gradient and state (SGD,
 * Adagrad, RMSprop, Adadelta, the Adam family): one gradient per step, so {@link #step()} after
 * the caller's backward pass works as well as {@link #step(LossClosure)}. A subclass writes only
 * {@link #update}, the algorithm box of its Javadoc. Parameters without a gradient are skipped.
 */
public abstract class ElementwiseOptimizer extends Optimizer {
    private Tensor lastLoss;
    private boolean stepped;

    protected ElementwiseOptimizer(HyperparameterSpec spec, OptimizerOptions<?> options, List<ParamGroup> groups) {
        super(spec, options, groups);
    }

    /**
     * Updates one parameter in place from its gradient ({@code maximize} already applied) and its
     * state (empty at the first step; fill it then).
     */
    protected abstract void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state);

    /** One update of every parameter that has a gradient. */
    @Override
    public void step() {
        applyUpdates();
        lastLoss = null;
    }

    /** Evaluates {@code closure} (the loss, after backward) with gradients enabled, then updates; returns the loss. */
    @Override
    public Tensor step(LossClosure closure) {
        Tensor loss = evaluateLoss(closure);
        applyUpdates();
        lastLoss = loss;
        return loss;
    }

    /**
     * One iteration, one evaluation with a closure (none without); the loss is read from the
     * closure's result when this is called (a read-back from the device; NaN after {@link #step()}).
     */
    @Override
    public StepResult lastStep() {
        if (!stepped) {
            return null;
        }
        double loss = lastLoss == null ? Double.NaN : lastLoss.item();
        return new StepResult(loss, loss, 1, lastLoss == null ? 0 : 1, StopReason.UPDATED);
    }

    private void applyUpdates() {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (ParamGroup group : paramGroups()) {
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
        stepped = true;
    }

    /**
     * The gradient with the group's coupled L2 penalty, g + weightDecay &middot; &theta; (torch.optim's
     * {@code weight_decay}); the gradient itself when weightDecay is 0.
     */
    protected static NDArray withWeightDecay(NDArray grad, NDArray param, ParamGroup group) {
        double weightDecay = group.get(CommonHyperparameters.WEIGHT_DECAY);
        return weightDecay != 0 ? grad.add(param.mul(weightDecay)) : grad;
    }

    /** Adds one to the state's step counter (a 0-d FLOAT64 array) and returns the new count. */
    protected static double incrementStep(Map<String, NDArray> state) {
        NDArray step = stateArray(state, "step", () -> NDArray.scalar(dev.descent.core.DType.FLOAT64, 0));
        step.addi(1);
        return step.item();
    }
}
