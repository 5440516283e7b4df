package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;

/** Multiplies the learning rate by {@code gamma} every epoch: lr = base &middot; gamma<sup>epoch</sup>. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        this.gamma = setting("gamma", gamma);
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch == 0) {
            return perGroup(this::groupLr);
        }
        return perGroup(g -> groupLr(g) * gamma);
    }

    @Override
    protected double[] closedFormLr() {
        return perGroup(g -> baseLrs[g] * Math.pow(gamma, lastEpoch));
    }
}
