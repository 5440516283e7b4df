package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lowers the learning rate when a monitored metric stops improving, as
 * torch.optim.lr_scheduler.ReduceLROnPlateau: after more than {@code patience} epochs without an
 * improvement (relative or absolute, beyond {@code threshold}), every group's rate is multiplied
 * by {@code factor} (never below {@code minLr}), then {@code cooldown} epochs pass before bad
 * epochs count again.
 */
public final class ReduceLROnPlateau {
    /** Whether lower or higher metric values are better. */
    public enum Mode { MIN, MAX }

    /** Whether {@code threshold} is relative to the best value or absolute. */
    public enum ThresholdMode { REL, ABS }

    private final Optimizer optimizer;
    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private double best;
    private int badEpochs;
    private int cooldownCounter;

    /** PyTorch's defaults: factor 0.1, patience 10, threshold 1e-4 (relative), no cooldown, minLr 0. */
    public ReduceLROnPlateau(Optimizer optimizer, Mode mode) {
        this(optimizer, mode, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8);
    }

    public ReduceLROnPlateau(Optimizer optimizer, Mode mode, double factor, int patience, double threshold,
                             ThresholdMode thresholdMode, int cooldown, double minLr, double eps) {
        if (!(factor < 1) || !(factor >= 0)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in [0, 1), got " + factor);
        }
        if (patience < 0 || cooldown < 0) {
            throw new IllegalArgumentException("ReduceLROnPlateau: patience and cooldown must be >= 0, got " + patience
                    + " and " + cooldown);
        }
        this.optimizer = optimizer;
        this.mode = mode;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.thresholdMode = thresholdMode;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Records one epoch's metric and lowers the rates if it has plateaued. */
    public void step(double metric) {
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            List<ParamGroup> groups = optimizer.paramGroups();
            for (ParamGroup group : groups) {
                double old = group.lr();
                double next = Math.max(old * factor, minLr);
                if (old - next > eps) {
                    group.setLr(next);
                }
            }
            cooldownCounter = cooldown;
            badEpochs = 0;
        }
    }

    private boolean isBetter(double value) {
        if (mode == Mode.MIN) {
            return thresholdMode == ThresholdMode.REL ? value < best * (1 - threshold) : value < best - threshold;
        }
        return thresholdMode == ThresholdMode.REL ? value > best * (threshold + 1) : value > best + threshold;
    }

    /** The best metric so far. */
    public double best() {
        return best;
    }

    /**
     * The state for a checkpoint, in the form of {@link LRScheduler#stateDict()}: {@code scheduler},
     * {@code settings}, and the counters PyTorch's {@code state_dict} holds: {@code best} (the
     * string "Infinity" or "-Infinity" before the first metric), {@code badEpochs} and
     * {@code cooldownCounter}. The rates themselves live in the optimizer's state dict.
     */
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("scheduler", "ReduceLROnPlateau");
        state.put("settings", settings());
        state.put("best", StateDictValues.real(best));
        state.put("badEpochs", badEpochs);
        state.put("cooldownCounter", cooldownCounter);
        return state;
    }

    /** Continues from a {@link #stateDict()} of a ReduceLROnPlateau with the same settings; a state that does not fit is refused. */
    public void loadStateDict(Map<String, ?> state) {
        StateDictValues values = new StateDictValues("ReduceLROnPlateau.loadStateDict", state);
        values.requireSettings("ReduceLROnPlateau", settings());
        double savedBest = values.real("best");
        int savedBadEpochs = values.integer("badEpochs");
        int savedCooldown = values.integer("cooldownCounter");
        best = savedBest;
        badEpochs = savedBadEpochs;
        cooldownCounter = savedCooldown;
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("mode", mode.name());
        settings.put("factor", StateDictValues.real(factor));
        settings.put("patience", patience);
        settings.put("threshold", StateDictValues.real(threshold));
        settings.put("thresholdMode", thresholdMode.name());
        settings.put("cooldown", cooldown);
        settings.put("minLr", StateDictValues.real(minLr));
        settings.put("eps", StateDictValues.real(eps));
        return settings;
    }
}
