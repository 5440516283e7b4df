package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs:
 * lr = base &middot; gamma<sup>&lfloor;epoch / stepSize&rfloor;</sup> (torch.optim.lr_scheduler.StepLR).
 */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        this.stepSize = setting("stepSize", requirePositive("stepSize", stepSize));
        this.gamma = setting("gamma", gamma);
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch == 0 || lastEpoch % stepSize != 0) {
            return perGroup(this::groupLr);
        }
        return perGroup(g -> groupLr(g) * gamma);
    }

    @Override
    protected double[] closedFormLr() {
        return perGroup(g -> baseLrs[g] * Math.pow(gamma, lastEpoch / stepSize));
    }
}
