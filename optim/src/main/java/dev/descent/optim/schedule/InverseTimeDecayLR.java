package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import dev.descent.optim.firstorder.SGD;

/**
 * 1/t decay: lr = base / (1 + decay &middot; epoch). Its steps satisfy the Robbins&ndash;Monro
 * conditions for stochastic approximation: &Sigma; lr<sub>t</sub> = &infin; (the steps can reach any
 * point) while &Sigma; lr<sub>t</sub>&sup2; &lt; &infin; (the gradient noise averages out), which
 * guarantees convergence of SGD on convex problems. PyTorch writes it as a {@code LambdaLR}.
 */
public final class InverseTimeDecayLR extends LRScheduler {
    private final double decay;

    public InverseTimeDecayLR(Optimizer optimizer, double decay) {
        super(optimizer);
        require(decay >= 0, "decay must be >= 0", decay);
        this.decay = setting("decay", decay);
        initialStep();
    }

    @Override
    protected double[] computeLr() {
        return perGroup(g -> baseLrs[g] * (1.0 / (1.0 + decay * lastEpoch)));
    }

}
