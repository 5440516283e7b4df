package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;

/**
 * Polynomial decay to zero over {@code totalIters} epochs:
 * lr = base &middot; (1 &minus; min(epoch, totalIters) / totalIters)<sup>power</sup>.
 */
public final class PolynomialLR extends LRScheduler {
    private final int totalIters;
    private final double power;

    public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
        super(optimizer);
        this.totalIters = setting("totalIters", requirePositive("totalIters", totalIters));
        this.power = setting("power", power);
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        if (lastEpoch == 0 || lastEpoch > totalIters) {
            return perGroup(this::groupLr);
        }
        double decay = Math.pow((1.0 - (double) lastEpoch / totalIters) / (1.0 - (double) (lastEpoch - 1) / totalIters), power);
        return perGroup(g -> groupLr(g) * decay);
    }

    @Override
    protected double[] closedFormLr() {
        return perGroup(g -> baseLrs[g] * Math.pow(1.0 - (double) Math.min(totalIters, lastEpoch) / totalIters, power));
    }
}
