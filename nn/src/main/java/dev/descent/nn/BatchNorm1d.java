package dev.descent.nn;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * Batch normalization over the channels C of {@code [N, C]} or {@code [N, C, L]} inputs:
 * <pre>
 *   y = (x - mean) / sqrt(var + eps) * weight + bias
 * </pre>
 * In training, mean and var are the batch's (var biased, over N and L); the running statistics
 * then move towards them: {@code running = (1 - momentum) running + momentum batch}, where the
 * running variance takes the unbiased batch variance, as PyTorch does. With {@code momentum} null
 * the running statistics are the cumulative average over all batches. In evaluation the running
 * statistics are used (unless {@code trackRunningStats} is false).
 */
public final class BatchNorm1d extends BatchNormBase {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics: PyTorch's defaults. */
    public BatchNorm1d(int features) {
        this(features, 1e-5, 0.1, true, true);
    }

    public BatchNorm1d(int features, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(features, eps, momentum, affine, trackRunningStats, DType.FLOAT32);
    }

    public BatchNorm1d(int features, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        super("BatchNorm1d", "features", features, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    public Tensor forward(Tensor input) {
        int rank = input.rank();
        if ((rank != 2 && rank != 3) || input.shape(1) != features) {
            throw new IllegalArgumentException("BatchNorm1d: expected an input of shape [N, " + features + "] or [N, " + features
                    + ", L], got " + Arrays.toString(input.shape()));
        }
        int[] dims = rank == 2 ? new int[] {0} : new int[] {0, 2};
        int[] channelShape = rank == 2 ? new int[] {features} : new int[] {features, 1};
        boolean useBatchStatistics = isTraining() || !trackRunningStatistics;
        Tensor normalized;
        if (useBatchStatistics) {
            int count = input.size() / features;
            if (isTraining() && count <= 1) {
                throw new IllegalArgumentException("BatchNorm1d: expected more than 1 value per channel when training, got input"
                        + " shape " + Arrays.toString(input.shape()) + " (use a batch of at least 2, or eval())");
            }
            if (rank == 2) {
                BatchNormFunction function = new BatchNormFunction(eps, weight != null);
                Tensor out = weight != null ? function.apply(input, weight, bias) : function.apply(input);
                if (isTraining() && trackRunningStatistics) {
                    updateRunningStatistics(function.mean(), function.variance(), count);
                }
                return out;
            }
            Tensor mean = input.mean(dims, true);
            Tensor var = input.var(dims, 0, true);
            normalized = input.sub(mean).div(var.add(eps).sqrt());
            if (isTraining() && trackRunningStatistics) {
                updateRunningStatistics(mean.data(), var.data(), count);
            }
        } else {
            Tensor mean = Tensor.of(runningMean().reshape(channelShape));
            Tensor std = Tensor.of(runningVar().add(eps).sqrt().reshape(channelShape));
            normalized = input.sub(mean).div(std);
        }
        if (weight == null) {
            return normalized;
        }
        return normalized.mul(weight.reshape(channelShape)).add(bias.reshape(channelShape));
    }
}
