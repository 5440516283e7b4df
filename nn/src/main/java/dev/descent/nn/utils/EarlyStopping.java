package dev.descent.nn.utils;

/**
 * Stops training when a monitored metric (validation loss, accuracy) has not improved by more
 * than {@code minDelta} for {@code patience} consecutive epochs.
 *
 * <pre>{@code
 * EarlyStopping stopper = new EarlyStopping(EarlyStopping.Mode.MIN, 5, 1e-4);
 * for (int epoch = 0; epoch < 100; epoch++) {
 *     double validationLoss = trainAndValidate();
 *     if (stopper.step(validationLoss)) {
 *         break;   // stopper.bestEpoch() had the best model
 *     }
 * }
 * }</pre>
 */
public final class EarlyStopping {
    /** Whether a lower (loss) or higher (accuracy) metric is better. */
    public enum Mode { MIN, MAX }

    private final Mode mode;
    private final int patience;
    private final double minDelta;
    private double best;
    private int bestEpoch = -1;
    private int epoch = -1;
    private int epochsWithoutImprovement;

    public EarlyStopping(Mode mode, int patience, double minDelta) {
        if (patience < 1) {
            throw new IllegalArgumentException("EarlyStopping: patience must be at least 1, got " + patience);
        }
        if (!(minDelta >= 0)) {
            throw new IllegalArgumentException("EarlyStopping: minDelta must be >= 0, got " + minDelta);
        }
        this.mode = mode;
        this.patience = patience;
        this.minDelta = minDelta;
        this.best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Records one epoch's metric; returns true when training should stop. NaN never counts as an improvement. */
    public boolean step(double metric) {
        epoch++;
        boolean improved = mode == Mode.MIN ? metric < best - minDelta : metric > best + minDelta;
        if (improved) {
            best = metric;
            bestEpoch = epoch;
            epochsWithoutImprovement = 0;
        } else {
            epochsWithoutImprovement++;
        }
        return shouldStop();
    }

    public boolean shouldStop() {
        return epochsWithoutImprovement >= patience;
    }

    /** The best metric so far. */
    public double best() {
        return best;
    }

    /** The epoch (counting from 0) of the best metric, or -1 before the first. */
    public int bestEpoch() {
        return bestEpoch;
    }
}
