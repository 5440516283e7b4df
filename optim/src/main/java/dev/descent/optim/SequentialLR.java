package dev.descent.optim;

import java.util.Arrays;

/**
 * Runs schedules one after another: {@code schedulers[i]} drives the rate from
 * {@code milestones[i - 1]} on, and starts there from its own epoch 0. Warm-up then cosine:
 * <pre>{@code
 * LRScheduler warmup = new LinearLR(optimizer, 0.01, 1.0, 10);
 * LRScheduler cosine = new CosineAnnealingLR(optimizer, 90, 0);
 * LRScheduler schedule = new SequentialLR(optimizer, new LRScheduler[] {warmup, cosine}, new int[] {10});
 * }</pre>
 */
public final class SequentialLR extends LRScheduler {
    private final LRScheduler[] schedulers;
    private final int[] milestones;
    private double[] current;

    public SequentialLR(Optimizer optimizer, LRScheduler[] schedulers, int[] milestones) {
        super(optimizer);
        if (schedulers.length == 0 || milestones.length != schedulers.length - 1) {
            throw new IllegalArgumentException("SequentialLR: expected one milestone fewer than schedules, got "
                    + schedulers.length + " schedules and " + milestones.length + " milestones");
        }
        for (LRScheduler s : schedulers) {
            if (s.optimizer != optimizer) {
                throw new IllegalArgumentException("SequentialLR: every schedule must drive the same optimizer");
            }
        }
        this.schedulers = schedulers.clone();
        this.milestones = milestones.clone();
        lastEpoch = 0;
        for (ParamGroup group : optimizer.paramGroups()) {
            group.setLr(group.initialLr());
        }
        for (LRScheduler s : schedulers) {
            s.lastEpoch -= 1;
        }
        schedulers[0].initialStep();
        current = schedulers[0].lastLr();
    }

    @Override
    public void step() {
        lastEpoch++;
        int index = upperBound(milestones, lastEpoch);
        LRScheduler active = schedulers[index];
        if (index > 0 && milestones[index - 1] == lastEpoch) {
            active.stepTo(0);
        } else {
            active.step();
        }
        current = active.lastLr();
    }

    /** The number of milestones at or below {@code epoch} (Python's bisect_right). */
    private static int upperBound(int[] sorted, int epoch) {
        int count = 0;
        for (int m : sorted) {
            count += m <= epoch ? 1 : 0;
        }
        return count;
    }

    @Override
    protected double[] computeLr() {
        return current.clone();
    }

    @Override
    public double[] lastLr() {
        return current.clone();
    }

    @Override
    public String toString() {
        return "SequentialLR" + Arrays.toString(milestones);
    }
}
