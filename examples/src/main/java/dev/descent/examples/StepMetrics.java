package dev.descent.examples;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import java.util.List;

/**
 * The numbers every training step produces (loss, gradient norm, correct predictions), kept on
 * the model's device for one epoch and read back in stretches: a step on a GPU then never waits
 * for the device, and the host learns the values when the progress bar is redrawn and when the
 * epoch ends.
 */
final class StepMetrics {
    private final NDArray losses;
    private final NDArray gradientNorms;
    private final NDArray correct;
    private final int[] sizes;
    private int recorded;
    private int read;
    private double lossSum;
    private long samplesRead;

    /** Room for {@code steps} steps on {@code device}; the arrays belong to no step's memory scope. */
    StepMetrics(int steps, Device device) {
        NDArray[] arrays = MemoryScope.collect(() -> new NDArray[] {
            NDArray.empty(DType.FLOAT64, new int[] {steps}, device),
            NDArray.empty(DType.FLOAT64, new int[] {steps}, device),
            NDArray.empty(DType.FLOAT64, new int[0], device).fill(0)}).withoutOwner();
        this.losses = arrays[0];
        this.gradientNorms = arrays[1];
        this.correct = arrays[2];
        this.sizes = new int[steps];
    }

    /** Records one step: its mean loss, the total gradient norm (both 0-d) and how many of {@code size} samples the logits got right. */
    void record(NDArray loss, NDArray gradientNorm, NDArray logits, NDArray targets, int size) {
        losses.narrow(0, recorded, 1).copyFrom(loss.reshape(1));
        gradientNorms.narrow(0, recorded, 1).copyFrom(gradientNorm.reshape(1));
        correct.addi(logits.argmax(1).eq(targets).sum());
        sizes[recorded] = size;
        recorded++;
    }

    /** How many steps were recorded. */
    int recorded() {
        return recorded;
    }

    /** Reads the steps recorded since the last read (two copies from the device) and appends their values to the lists. */
    void readInto(List<Double> stepLoss, List<Double> stepGradientNorm) {
        if (read == recorded) {
            return;
        }
        double[] newLosses = losses.narrow(0, read, recorded - read).toDoubleArray();
        double[] newNorms = gradientNorms.narrow(0, read, recorded - read).toDoubleArray();
        for (int i = 0; i < newLosses.length; i++) {
            stepLoss.add(newLosses[i]);
            stepGradientNorm.add(newNorms[i]);
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

    /** Gives the device memory back; the metrics must not be used afterwards. */
    void release() {
        losses.storage().release();
        gradientNorms.storage().release();
        correct.storage().release();
    }
}
