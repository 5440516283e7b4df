package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.NDArray;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share, as PyTorch's {@code _BatchNorm}: the
 * arguments and their checks, the affine {@code weight} and {@code bias} [C], the buffers
 * {@code running_mean}, {@code running_var} and {@code num_batches_tracked} (named as PyTorch's
 * state dict), and the running-statistics update. Each subclass normalizes its own input layout.
 */
public abstract class BatchNormBase extends Module {
    protected final int features;
    protected final double eps;
    protected final Double momentum;
    protected final Parameter weight;
    protected final Parameter bias;
    /** Whether the buffers exist (read through {@link #buffer}, which {@link #to} moves). */
    protected final boolean trackRunningStatistics;

    /** {@code layer} and {@code featuresName} name the layer and its first argument in messages. */
    BatchNormBase(String layer, String featuresName, int features, double eps, Double momentum, boolean affine, boolean trackRunningStats,
                  DType dtype) {
        if (features <= 0) {
            throw new IllegalArgumentException(layer + ": " + featuresName + " must be positive, got " + features);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException(layer + ": eps must be positive, got " + eps);
        }
        if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(layer + ": momentum must be in [0, 1] (or null for a cumulative average), got " + momentum);
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = affine ? registerParameter("weight", new Parameter(NDArray.ones(dtype, features))) : null;
        this.bias = affine ? registerParameter("bias", new Parameter(NDArray.zeros(dtype, features))) : null;
        this.trackRunningStatistics = trackRunningStats;
        if (trackRunningStats) {
            registerBuffer("running_mean", NDArray.zeros(dtype, features));
            registerBuffer("running_var", NDArray.ones(dtype, features));
            registerBuffer("num_batches_tracked", NDArray.zeros(DType.INT32));
        }
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    /** The running mean (null when running statistics are not tracked). */
    public NDArray runningMean() {
        return trackRunningStatistics ? buffer("running_mean") : null;
    }

    /** The running variance (null when running statistics are not tracked). */
    public NDArray runningVar() {
        return trackRunningStatistics ? buffer("running_var") : null;
    }

    /** Moves the running statistics towards a training batch's mean and biased variance over {@code count} values per channel. */
    void updateRunningStatistics(NDArray batchMean, NDArray batchVar, long count) {
        RunningStatistics.update(runningMean(), runningVar(), buffer("num_batches_tracked"), momentum, batchMean, batchVar, count);
    }

    @Override
    protected String describe() {
        return features + ", eps=" + eps + ", momentum=" + momentum + (weight == null ? ", no affine" : "")
                + (trackRunningStatistics ? "" : ", no running stats");
    }
}
