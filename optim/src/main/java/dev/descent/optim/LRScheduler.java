package dev.descent.optim;

import java.util.List;

/**
 * The base of learning-rate schedules, as {@code torch.optim.lr_scheduler}: built on an
 * optimizer, it sets each group's learning rate at construction (epoch 0) and at every
 * {@link #step()}. Schedules compute the next rate from the current one where PyTorch does
 * (its "chainable" form), so several schedules can act on one optimizer and the values match
 * PyTorch's step for step.
 *
 * <pre>{@code
 * LRScheduler schedule = new CosineAnnealingLR(optimizer, 90, 0);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *     train(optimizer);
 *     schedule.step();
 * }
 * }</pre>
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    /** Each group's starting learning rate. */
    protected final double[] baseLrs;
    /** The number of steps taken; 0 right after construction. */
    protected int lastEpoch = -1;
    /** How many times {@link #step()} ran, including the one at construction. */
    protected int stepCount;
    private double[] lastLr;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            if (Double.isNaN(groups.get(g).initialLr())) {
                groups.get(g).initialLr(groups.get(g).lr());
            }
            baseLrs[g] = groups.get(g).initialLr();
        }
    }

    /** The step at construction; subclasses call it once their fields are set. */
    protected final void initialStep() {
        stepCount = 0;
        step();
    }

    /** Moves to the next epoch (or iteration) and sets the learning rates. */
    public void step() {
        stepCount++;
        lastEpoch++;
        apply(computeLr());
    }

    /** Jumps to {@code epoch} with the closed form where there is one (as PyTorch's {@code step(epoch)}). */
    void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        double[] closed = closedFormLr();
        apply(closed != null ? closed : computeLr());
    }

    private void apply(double[] lrs) {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int g = 0; g < groups.size(); g++) {
            groups.get(g).setLr(lrs[g]);
        }
        lastLr = lrs.clone();
    }

    /** Each group's learning rate for {@link #lastEpoch}; may read the groups' current rates. */
    protected abstract double[] computeLr();

    /** The rates for {@link #lastEpoch} from the base rates alone, or null when the schedule has no closed form. */
    protected double[] closedFormLr() {
        return null;
    }

    /** The rates set by the last step, one per group. */
    public double[] lastLr() {
        return lastLr.clone();
    }

    /** The current learning rate of group {@code g}. */
    protected double groupLr(int g) {
        return optimizer.paramGroups().get(g).lr();
    }

    /** {@code f(g)} for every group. */
    protected double[] perGroup(java.util.function.IntToDoubleFunction f) {
        double[] values = new double[baseLrs.length];
        for (int g = 0; g < values.length; g++) {
            values[g] = f.applyAsDouble(g);
        }
        return values;
    }

    static void requirePositive(String schedule, String name, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(schedule + ": " + name + " must be positive, got " + value);
        }
    }
}
