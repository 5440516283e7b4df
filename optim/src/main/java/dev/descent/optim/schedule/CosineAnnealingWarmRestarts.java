package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import java.util.Map;

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter, 2017): within a cycle of
 * length T<sub>i</sub>, lr = etaMin + (base &minus; etaMin)(1 + cos(&pi; T<sub>cur</sub> / T<sub>i</sub>)) / 2;
 * when a cycle ends the rate jumps back to the base and the next cycle is {@code tMult} times longer.
 */
public final class CosineAnnealingWarmRestarts extends LRScheduler {
    private final int t0;
    private final int tMult;
    private final double etaMin;
    private int cycleLength;
    private int sinceRestart;

    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
        super(optimizer);
        require(t0 > 0 && tMult >= 1, "t0 must be positive and tMult >= 1", t0, tMult);
        this.t0 = setting("t0", t0);
        this.tMult = setting("tMult", tMult);
        this.etaMin = setting("etaMin", etaMin);
        this.cycleLength = t0;
        this.sinceRestart = -1;
        initialStep();
    }

    @Override
    void saveProgress(Map<String, Object> state) {
        state.put("cycleLength", cycleLength);
        state.put("sinceRestart", sinceRestart);
    }

    @Override
    void loadProgress(StateDictValues values) {
        int length = values.integer("cycleLength");
        int since = values.integer("sinceRestart");
        cycleLength = length;
        sinceRestart = since;
    }

    @Override
    public void step() {
        if (lastEpoch < 0) {
            cycleLength = t0;
            sinceRestart = 0;
        } else {
            sinceRestart++;
            if (sinceRestart >= cycleLength) {
                sinceRestart -= cycleLength;
                cycleLength *= tMult;
            }
        }
        super.step();
    }

    @Override
    protected double[] computeLr() {
        return perGroup(g -> etaMin + (baseLrs[g] - etaMin) * (1 + Math.cos(Math.PI * sinceRestart / cycleLength)) / 2);
    }
}
