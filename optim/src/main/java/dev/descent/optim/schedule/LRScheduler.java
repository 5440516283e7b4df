package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The base of learning-rate schedules, as {@code torch.optim.lr_scheduler}: built on an
 * optimizer, it sets each group's learning rate at construction (epoch 0) and at every
 * {@link #step()}. Schedules compute the next rate from the current one where PyTorch does
 * (its "chainable" form), so several schedules can act on one optimizer and the values match
 * PyTorch's step for step.
 *
 * <pre>{@code
 * LRScheduler schedule = new CosineAnnealingLR(optimizer, 90, 0);
 * for (int epoch = 0; epoch < 90; epoch++) {
 *     train(optimizer);
 *     schedule.step();
 * }
 * }</pre>
 *
 * <p>{@link #stateDict()} and {@link #loadStateDict} checkpoint a schedule as PyTorch's do: restore
 * the optimizer's state dict (which holds the current rates), then the schedule's, and the rates
 * continue exactly as if training had not stopped. One difference: PyTorch overwrites the
 * schedule's settings (such as {@code T_max}) with the saved ones, while here they must match,
 * since a state from another configuration would silently continue another schedule.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    /** Each group's starting learning rate. */
    protected final double[] baseLrs;
    /** The number of steps taken; 0 right after construction. */
    protected int lastEpoch = -1;
    /** How many times {@link #step()} ran, including the one at construction. */
    protected int stepCount;
    private double[] lastLr;
    /** What the schedule was built with, recorded by {@link #setting}, in order. */
    private final Map<String, Object> settings = new LinkedHashMap<>();

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            if (Double.isNaN(groups.get(g).initialLr())) {
                groups.get(g).setInitialLr(groups.get(g).lr());
            }
            baseLrs[g] = groups.get(g).initialLr();
        }
    }

    /** The step at construction; subclasses call it once their fields are set. */
    protected final void initialStep() {
        stepCount = 0;
        step();
    }

    /** Moves to the next epoch (or iteration) and sets the learning rates. */
    public void step() {
        stepCount++;
        lastEpoch++;
        apply(computeLr());
    }

    /** Jumps to {@code epoch} with the closed form where there is one (as PyTorch's {@code step(epoch)}). */
    void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        double[] closed = closedFormLr();
        apply(closed != null ? closed : computeLr());
    }

    private void apply(double[] lrs) {
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int g = 0; g < groups.size(); g++) {
            groups.get(g).setLr(lrs[g]);
        }
        lastLr = lrs.clone();
    }

    /** Each group's learning rate for {@link #lastEpoch}; may read the groups' current rates. */
    protected abstract double[] computeLr();

    /** The rates for {@link #lastEpoch} from the base rates alone, or null when the schedule has no closed form. */
    protected double[] closedFormLr() {
        return null;
    }

    /** The rates set by the last step, one per group. */
    public double[] lastLr() {
        return lastLr.clone();
    }

    /** The current learning rate of group {@code g}. */
    protected double groupLr(int g) {
        return optimizer.paramGroups().get(g).lr();
    }

    /** {@code f(g)} for every group. */
    protected double[] perGroup(java.util.function.IntToDoubleFunction f) {
        double[] values = new double[baseLrs.length];
        for (int g = 0; g < values.length; g++) {
            values[g] = f.applyAsDouble(g);
        }
        return values;
    }

    // ---------------------------------------------------------------- state dicts

    /**
     * The schedule's state, for a checkpoint: {@code scheduler} (the class's simple name),
     * {@code settings} (what it was built with), {@code lastEpoch}, {@code stepCount},
     * {@code baseLrs}, {@code lastLr}, and what a schedule keeps between steps (a restart
     * schedule's position in its cycle, SequentialLR's schedules). Values are Integers, Doubles,
     * Strings, Booleans, lists and maps of those, so any JSON library writes and reads them back
     * exactly; NaN and the infinities are the strings "NaN", "Infinity" and "-Infinity".
     */
    public final Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("scheduler", getClass().getSimpleName());
        state.put("settings", settings());
        state.put("lastEpoch", lastEpoch);
        state.put("stepCount", stepCount);
        state.put("baseLrs", StateDictValues.reals(baseLrs));
        state.put("lastLr", StateDictValues.reals(lastLr()));
        saveProgress(state);
        return state;
    }

    /**
     * Continues from a {@link #stateDict()} of a schedule of the same class and settings over an
     * optimizer with as many parameter groups; also sets each group's initial rate to its base
     * rate, as the first schedule did. A state that does not fit is refused, naming what differs.
     */
    public final void loadStateDict(Map<String, ?> state) {
        String kind = getClass().getSimpleName();
        StateDictValues values = new StateDictValues(kind + ".loadStateDict", state);
        values.requireSettings(kind, settings());
        int epoch = values.integer("lastEpoch");
        int steps = values.integer("stepCount");
        double[] bases = values.reals("baseLrs", baseLrs.length);
        double[] last = values.reals("lastLr", baseLrs.length);
        loadProgress(values);
        lastEpoch = epoch;
        stepCount = steps;
        System.arraycopy(bases, 0, baseLrs, 0, bases.length);
        lastLr = last;
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int g = 0; g < groups.size(); g++) {
            groups.get(g).setInitialLr(bases[g]);
        }
    }

    /**
     * What the schedule was built with, by name; a loaded state must have the same. Those its
     * constructor recorded with {@link #setting}, and what an override adds.
     */
    Map<String, Object> settings() {
        return new LinkedHashMap<>(settings);
    }

    /** Records the setting {@code name} for {@link #settings()}; returns {@code value}. */
    final int setting(String name, int value) {
        settings.put(name, value);
        return value;
    }

    /** Records the setting {@code name} for {@link #settings()} (JSON-safe, as {@link StateDictValues#real}); returns {@code value}. */
    final double setting(String name, double value) {
        settings.put(name, StateDictValues.real(value));
        return value;
    }

    /** Records the setting {@code name} for {@link #settings()} (as a list); returns {@code values}. */
    final int[] setting(String name, int[] values) {
        settings.put(name, StateDictValues.integers(values));
        return values;
    }

    /** Adds what the schedule keeps between steps beyond the base class's counters (nothing unless a subclass keeps more). */
    void saveProgress(Map<String, Object> state) {
    }

    /** Reads back what {@link #saveProgress} wrote; reads every value before changing any field, so a refused state changes nothing. */
    void loadProgress(StateDictValues values) {
    }

    /**
     * Refuses the constructor's arguments unless {@code valid}: an {@link IllegalArgumentException}
     * "{schedule}: {requirement}, got {values, joined by 'and'}".
     */
    final void require(boolean valid, String requirement, Object... got) {
        if (!valid) {
            StringJoiner values = new StringJoiner(" and ");
            for (Object value : got) {
                values.add(String.valueOf(value));
            }
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + requirement + ", got " + values);
        }
    }

    /** Refuses a {@code value} that is not positive, naming it; returns it. */
    final int requirePositive(String name, int value) {
        require(value > 0, name + " must be positive", value);
        return value;
    }
}
