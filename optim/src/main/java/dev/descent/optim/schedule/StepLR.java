package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import java.util.Map;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs:
 * lr = base &middot; gamma<sup>&lfloor;epoch / stepSize&rfloor;</sup> (torch.optim.lr_scheduler.StepLR).
 */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) {
            throw new IllegalArgumentException("StepLR: stepSize must be positive, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    Map<String, Object> settings() {
        Map<String, Object> settings = super.settings();
        settings.put("stepSize", stepSize);
        settings.put("gamma", StateDictValues.real(gamma));
        return settings;
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
