package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;

/**
 * Linear warm-up (or decay): the factor on the base rate moves linearly from {@code startFactor}
 * to {@code endFactor} over {@code totalIters} epochs, then stays (torch.optim.lr_scheduler.LinearLR).
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        require(startFactor > 0 && startFactor <= 1 && endFactor >= 0 && endFactor <= 1,
                "startFactor must be in (0, 1] and endFactor in [0, 1]", startFactor, endFactor);
        this.startFactor = setting("startFactor", startFactor);
        this.endFactor = setting("endFactor", endFactor);
        this.totalIters = setting("totalIters", requirePositive("totalIters", totalIters));
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch == 0) {
            return perGroup(g -> groupLr(g) * startFactor);
        }
        if (lastEpoch > totalIters) {
            return perGroup(this::groupLr);
        }
        return perGroup(g -> groupLr(g) * (1.0 + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor))));
    }

    @Override
    protected double[] closedFormLr() {
        return perGroup(g -> baseLrs[g] * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters));
    }
}
