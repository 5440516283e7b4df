package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;

/**
 * Cosine annealing (Loshchilov and Hutter, 2017) without restarts:
 * lr = etaMin + (base &minus; etaMin)(1 + cos(&pi; epoch / tMax)) / 2, computed in PyTorch's
 * recursive form (which continues as a cosine wave past tMax).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        this.tMax = setting("tMax", requirePositive("tMax", tMax));
        this.etaMin = setting("etaMin", etaMin);
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch == 0) {
            return perGroup(this::groupLr);
        }
        if (stepCount == 1 && lastEpoch > 0) {
            return perGroup(g -> etaMin + (baseLrs[g] - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2);
        }
        if ((lastEpoch - 1 - tMax) % (2 * tMax) == 0) {
            return perGroup(g -> groupLr(g) + (baseLrs[g] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2);
        }
        return perGroup(g -> (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                * (groupLr(g) - etaMin) + etaMin);
    }

    @Override
    protected double[] closedFormLr() {
        return perGroup(g -> etaMin + (baseLrs[g] - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2);
    }
}
