package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
    Map<String, Object> settings() {
        Map<String, Object> settings = super.settings();
        settings.put("milestones", StateDictValues.integers(milestones));
        List<String> kinds = new ArrayList<>();
        for (LRScheduler s : schedulers) {
            kinds.add(s.getClass().getSimpleName());
        }
        settings.put("schedulers", kinds);
        return settings;
    }

    /** Each schedule's own state dict, in order. */
    @Override
    void saveProgress(Map<String, Object> state) {
        List<Map<String, Object>> children = new ArrayList<>();
        for (LRScheduler s : schedulers) {
            children.add(s.stateDict());
        }
        state.put("schedulers", children);
    }

    /** Loads every schedule's state, or (when one is refused) puts back those already loaded and rethrows. */
    @Override
    void loadProgress(StateDictValues values) {
        List<?> children = values.list("schedulers");
        if (children.size() != schedulers.length) {
            throw new IllegalArgumentException("SequentialLR.loadStateDict: 'schedulers' holds " + children.size() + " state dicts but this"
                    + " SequentialLR has " + schedulers.length + " schedules");
        }
        double[] rates = values.reals("lastLr", baseLrs.length);
        List<Map<String, Object>> before = new ArrayList<>();
        try {
            for (int i = 0; i < schedulers.length; i++) {
                before.add(schedulers[i].stateDict());
                schedulers[i].loadStateDict(values.map("schedulers[" + i + "]", children.get(i)));
            }
        } catch (IllegalArgumentException e) {
            for (int i = 0; i < before.size(); i++) {
                schedulers[i].loadStateDict(before.get(i));
            }
            throw e;
        }
        current = rates;
    }

    @Override
    public String toString() {
        return "SequentialLR" + Arrays.toString(milestones);
    }
}
