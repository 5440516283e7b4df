package dev.descent.examples;

import java.util.Arrays;

/**
 * A factor applied at the start of given epochs, written {@code FACTOR@E1,E2,...} (epochs from 1,
 * as the progress lines count them): {@code --schedule step:5@3,5} divides the learning rate by 5
 * from epoch 3 and again from epoch 5; {@code --batch-schedule 5@3,5} multiplies the batch by 5 at
 * the same epochs (Smith et al. 2018: growing the batch in place of decaying the rate).
 */
record EpochMilestones(double factor, int[] epochs) {
    /**
     * Parses {@code text} for {@code --flag} of a run of {@code runEpochs} epochs; an integer
     * factor when {@code integerFactor}. Every epoch must be reached by the run and come after the
     * first (a change at epoch 1 is the starting value), in increasing order.
     */
    static EpochMilestones parse(String flag, String text, int runEpochs, boolean integerFactor) {
        String expected = "; expected FACTOR@EPOCH[,EPOCH...] such as 5@3,5";
        int at = text.indexOf('@');
        if (at < 0) {
            throw new UsageException("mnist: --" + flag + " '" + text + "' has no '@'" + expected);
        }
        double factor;
        try {
            factor = integerFactor ? Integer.parseInt(text.substring(0, at).trim()) : Double.parseDouble(text.substring(0, at).trim());
        } catch (NumberFormatException e) {
            throw new UsageException("mnist: --" + flag + " '" + text + "': the factor must be " + (integerFactor ? "an integer" : "a number")
                    + expected);
        }
        if (!(factor > 1) || Double.isInfinite(factor)) {
            throw new UsageException("mnist: --" + flag + " '" + text + "': the factor must be greater than 1, got " + text.substring(0, at).trim());
        }
        String[] parts = text.substring(at + 1).split(",", -1);
        int[] epochs = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                epochs[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("mnist: --" + flag + " '" + text + "': '" + parts[i].trim() + "' is not an epoch" + expected);
            }
            if (epochs[i] < 2 || epochs[i] > runEpochs || (i > 0 && epochs[i] <= epochs[i - 1])) {
                throw new UsageException("mnist: --" + flag + " '" + text + "': epoch " + epochs[i] + " is not in 2.." + runEpochs
                        + " after the one before it (the run has " + runEpochs + " epoch(s); epoch 1 starts with the flags' values)");
            }
        }
        return new EpochMilestones(factor, epochs);
    }

    /** The factor to the power of the milestones reached by {@code epoch} (from 1). */
    double multiplierAt(int epoch) {
        int reached = 0;
        for (int milestone : epochs) {
            reached += epoch >= milestone ? 1 : 0;
        }
        return Math.pow(factor, reached);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EpochMilestones that && factor == that.factor && Arrays.equals(epochs, that.epochs);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(factor) * 31 + Arrays.hashCode(epochs);
    }

    @Override
    public String toString() {
        return (factor == Math.rint(factor) ? Long.toString((long) factor) : Double.toString(factor)) + "@"
                + String.join(",", Arrays.stream(epochs).mapToObj(Integer::toString).toList());
    }
}
