package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone epoch (a milestone listed
 * twice applies twice), as torch.optim.lr_scheduler.MultiStepLR.
 */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = milestones.clone();
        java.util.Arrays.sort(this.milestones);
        setting("milestones", this.milestones);
        this.gamma = setting("gamma", gamma);
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        int hits = 0;
        for (int m : milestones) {
            hits += m == lastEpoch ? 1 : 0;
        }
        if (hits == 0) {
            return perGroup(this::groupLr);
        }
        int times = hits;
        return perGroup(g -> groupLr(g) * Math.pow(gamma, times));
    }

    @Override
    protected double[] closedFormLr() {
        int passed = 0;
        for (int m : milestones) {
            passed += m <= lastEpoch ? 1 : 0;
        }
        int count = passed;
        return perGroup(g -> baseLrs[g] * Math.pow(gamma, count));
    }
}
