package dev.descent.examples;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import java.util.List;

/**
 * The numbers every training step produces (loss, gradient norm, correct predictions), kept on
 * the model's device and read back in stretches: a step on a GPU then never waits for the
 * device, and the host learns the values when the progress bar is redrawn and when the epoch
 * ends. A step's device work ({@link #measure}) writes fixed arrays, so it can be part of a
 * captured graph; {@link #commit} then files the values under the step's index.
 */
final class StepMetrics {
    /** How many times its start the loss may grow before training counts as diverged. */
    static final double EXPLOSION = 100;
    private final Device device;
    /** The last step's loss, gradient norm and correct count: the same arrays every step. */
    private final NDArray loss;
    private final NDArray gradientNorm;
    private final NDArray correctInStep;
    private NDArray losses;
    private NDArray gradientNorms;
    private NDArray correct;
    private int[] sizes;
    private int recorded;
    private int read;
    private double lossSum;
    /** The loss of the first step these metrics read: the scale an exploding loss is judged against. */
    private double firstLoss = Double.NaN;
    private long samplesRead;

    /** Metrics on {@code device}; their arrays belong to no step's memory scope. */
    StepMetrics(Device device) {
        this.device = device;
        NDArray[] slots = MemoryScope.collect(() -> new NDArray[] {
            NDArray.empty(DType.FLOAT64, new int[0], device),
            NDArray.empty(DType.FLOAT64, new int[0], device),
            NDArray.empty(DType.FLOAT64, new int[0], device)}).withoutOwner();
        this.loss = slots[0];
        this.gradientNorm = slots[1];
        this.correctInStep = slots[2];
    }

    /** Room for an epoch of {@code steps} steps; the previous epoch's values are gone. */
    void startEpoch(int steps) {
        releaseEpoch();
        NDArray[] arrays = MemoryScope.collect(() -> new NDArray[] {
            NDArray.empty(DType.FLOAT64, new int[] {steps}, device),
            NDArray.empty(DType.FLOAT64, new int[] {steps}, device),
            NDArray.empty(DType.FLOAT64, new int[0], device).fill(0)}).withoutOwner();
        losses = arrays[0];
        gradientNorms = arrays[1];
        correct = arrays[2];
        sizes = new int[steps];
        recorded = 0;
        read = 0;
        lossSum = 0;
        samplesRead = 0;
    }

    /** The step's device work: its mean loss, the total gradient norm (both 0-d) and how many predictions the logits got right. */
    void measure(NDArray stepLoss, NDArray stepGradientNorm, NDArray logits, NDArray targets) {
        loss.copyFrom(stepLoss);
        gradientNorm.copyFrom(stepGradientNorm);
        correctInStep.copyFrom(logits.argmax(1).eq(targets).sum());
    }

    /** Files the last measured step, of {@code size} samples, under the next index (three small kernels, no read-back). */
    void commit(int size) {
        losses.narrow(0, recorded, 1).copyFrom(loss.reshape(1));
        gradientNorms.narrow(0, recorded, 1).copyFrom(gradientNorm.reshape(1));
        correct.addi(correctInStep);
        sizes[recorded] = size;
        recorded++;
    }

    /**
     * Reads the steps recorded since the last read (two copies from the device) and appends their
     * values to the lists (whose length counts the steps of the whole run). Training diverged,
     * a {@link TrainingDivergedException} naming the first such step, when a loss or gradient norm
     * is not finite, or when the loss exceeds {@link #EXPLOSION} times the larger of the first
     * step's loss and 1: a cross-entropy that starts near ln 10 = 2.3 and passes 230 predicts the
     * wrong class with a margin no learning rate that trains would reach. An exploding loss is
     * appended before the exception, so that the run's charts show the explosion.
     */
    void readInto(List<Double> stepLoss, List<Double> stepGradientNorm) {
        if (read == recorded) {
            return;
        }
        double[] newLosses = losses.narrow(0, read, recorded - read).toDoubleArray();
        double[] newNorms = gradientNorms.narrow(0, read, recorded - read).toDoubleArray();
        for (int i = 0; i < newLosses.length; i++) {
            int step = stepLoss.size() + 1;
            if (!Double.isFinite(newLosses[i]) || !Double.isFinite(newNorms[i])) {
                throw new TrainingDivergedException(step, String.format("training diverged at step %d (step %d of this epoch): the loss is %s"
                        + " and the gradient norm %s; try a lower learning rate", step, read + i + 1, newLosses[i], newNorms[i]));
            }
            if (Double.isNaN(firstLoss)) {
                firstLoss = newLosses[i];
            }
            stepLoss.add(newLosses[i]);
            stepGradientNorm.add(newNorms[i]);
            if (newLosses[i] > EXPLOSION * Math.max(firstLoss, 1)) {
                read += i + 1;
                throw new TrainingDivergedException(step, String.format("training diverged at step %d (step %d of this epoch): the loss is"
                        + " %.4g, over %.0f times the first step's %.4f; try a lower learning rate", step, read, newLosses[i], EXPLOSION, firstLoss));
            }
            lossSum += newLosses[i] * sizes[read + i];
            samplesRead += sizes[read + i];
        }
        read = recorded;
    }

    /** The mean loss per sample over the steps read so far. */
    double runningLoss() {
        return lossSum / samplesRead;
    }

    /** Correct predictions over the epoch so far (one copy from the device). */
    long correct() {
        return (long) correct.item();
    }

    /** Gives the epoch's device memory back. */
    void releaseEpoch() {
        if (losses != null) {
            losses.storage().release();
            gradientNorms.storage().release();
            correct.storage().release();
            losses = null;
        }
    }
}
