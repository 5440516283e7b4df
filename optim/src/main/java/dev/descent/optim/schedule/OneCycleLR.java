package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.firstorder.Adam;
import java.util.List;
import java.util.Map;

/**
 * The 1cycle policy (Smith and Topin, 2018), as torch.optim.lr_scheduler.OneCycleLR: the rate
 * rises from maxLr / divFactor to maxLr over the first {@code pctStart} of {@code totalSteps},
 * then falls to maxLr / (divFactor &middot; finalDivFactor); momentum (or Adam's &beta;&#8321;) moves
 * the opposite way between maxMomentum and baseMomentum. Annealing is cosine or linear; the
 * three-phase variant returns to the initial rate before the final decay. Step it once per batch.
 */
public final class OneCycleLR extends LRScheduler {
    /** The shape of each phase's transition. */
    public enum Anneal { COS, LINEAR }

    private record Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {
    }

    private final int totalSteps;
    private final Anneal anneal;
    private final boolean cycleMomentum;
    private final boolean useBeta1;
    private final List<Phase> phases;
    private final double[] initialLrs;
    private final double[] maxLrs;
    private final double[] minLrs;
    private final double maxMomentum;
    private final double baseMomentum;

    /** PyTorch's defaults: pctStart 0.3, cosine, momentum cycled between 0.85 and 0.95, divFactor 25, finalDivFactor 1e4. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, Anneal.COS, true, 0.85, 0.95, 25, 1e4, false);
    }

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, Anneal anneal, boolean cycleMomentum,
                      double baseMomentum, double maxMomentum, double divFactor, double finalDivFactor, boolean threePhase) {
        super(optimizer);
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("OneCycleLR: totalSteps must be positive, got " + totalSteps);
        }
        if (!(pctStart >= 0 && pctStart <= 1)) {
            throw new IllegalArgumentException("OneCycleLR: pctStart must be in [0, 1], got " + pctStart);
        }
        this.totalSteps = totalSteps;
        this.anneal = anneal;
        this.cycleMomentum = cycleMomentum;
        this.maxMomentum = maxMomentum;
        this.baseMomentum = baseMomentum;
        phases = threePhase
                ? List.of(new Phase(pctStart * totalSteps - 1, "initial", "max", "maxM", "baseM"),
                        new Phase(2 * pctStart * totalSteps - 2, "max", "initial", "baseM", "maxM"),
                        new Phase(totalSteps - 1, "initial", "min", "maxM", "maxM"))
                : List.of(new Phase(pctStart * totalSteps - 1, "initial", "max", "maxM", "baseM"),
                        new Phase(totalSteps - 1, "max", "min", "baseM", "maxM"));
        List<ParamGroup> groups = optimizer.paramGroups();
        initialLrs = new double[groups.size()];
        maxLrs = new double[groups.size()];
        minLrs = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            initialLrs[g] = maxLr / divFactor;
            maxLrs[g] = maxLr;
            minLrs[g] = initialLrs[g] / finalDivFactor;
            groups.get(g).setInitialLr(initialLrs[g]);
            baseLrs[g] = initialLrs[g];
        }
        ParamGroup first = groups.get(0);
        useBeta1 = first.has("betas");
        if (cycleMomentum) {
            if (!useBeta1 && !first.has("momentum")) {
                throw new IllegalArgumentException("OneCycleLR: cycleMomentum needs an optimizer with momentum or betas; "
                        + optimizer.name() + " has neither");
            }
            groups.forEach(g -> setMomentum(g, maxMomentum));
        }
        initialStep();
    }

    @Override
    Map<String, Object> settings() {
        Map<String, Object> settings = super.settings();
        settings.put("totalSteps", totalSteps);
        settings.put("anneal", anneal.name());
        settings.put("cycleMomentum", cycleMomentum);
        settings.put("baseMomentum", StateDictValues.real(baseMomentum));
        settings.put("maxMomentum", StateDictValues.real(maxMomentum));
        settings.put("initialLrs", StateDictValues.reals(initialLrs));
        settings.put("maxLrs", StateDictValues.reals(maxLrs));
        settings.put("minLrs", StateDictValues.reals(minLrs));
        settings.put("phaseEnds", StateDictValues.reals(phases.stream().mapToDouble(Phase::endStep).toArray()));
        return settings;
    }

    private void setMomentum(ParamGroup group, double value) {
        if (useBeta1) {
            double[] betas = group.getPair("betas");
            group.set("betas", new double[] {value, betas[1]});
        } else {
            group.set("momentum", value);
        }
    }

    private double value(String key, int g) {
        return switch (key) {
            case "initial" -> initialLrs[g];
            case "max" -> maxLrs[g];
            case "min" -> minLrs[g];
            case "maxM" -> maxMomentum;
            default -> baseMomentum;
        };
    }

    private double anneal(double start, double end, double pct) {
        return anneal == Anneal.COS ? end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
    }

    @Override
    protected double[] computeLr() {
        // PyTorch allows one step more, which extrapolates past the final rate (even below zero)
        if (lastEpoch >= totalSteps) {
            throw new IllegalStateException("OneCycleLR: stepped " + lastEpoch + " times, but the schedule has " + totalSteps
                    + " steps (one rate per step, starting at construction)");
        }
        return perGroup(g -> {
            double start = 0;
            for (int i = 0; i < phases.size(); i++) {
                Phase phase = phases.get(i);
                if (lastEpoch <= phase.endStep() || i == phases.size() - 1) {
                    double pct = (lastEpoch - start) / (phase.endStep() - start);
                    if (cycleMomentum) {
                        setMomentum(optimizer.paramGroups().get(g),
                                anneal(value(phase.startMomentum(), g), value(phase.endMomentum(), g), pct));
                    }
                    return anneal(value(phase.startLr(), g), value(phase.endLr(), g), pct);
                }
                start = phase.endStep();
            }
            throw new IllegalStateException("unreachable");
        });
    }
}
