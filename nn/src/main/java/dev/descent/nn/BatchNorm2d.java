package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * Batch normalization over the channels C of [N, C, H, W] inputs, as PyTorch's
 * {@code nn.BatchNorm2d}:
 * <pre>
 *   y[n, c, h, w] = (x[n, c, h, w] - mean_c) / sqrt(var_c + eps) * weight_c + bias_c
 * </pre>
 * In training, mean and var are the batch's per channel over N, H and W (var biased); the running
 * statistics then move towards them: {@code running = (1 - momentum) running + momentum batch},
 * the running variance taking the unbiased batch variance; with {@code momentum} null they are the
 * cumulative average over all batches. In evaluation the running statistics are used (the batch's
 * when {@code trackRunningStats} is false). State-dict names are PyTorch's: {@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var}, {@code num_batches_tracked}.
 *
 * <pre>{@code
 * BatchNorm2d bn = new BatchNorm2d(16);
 * Tensor y = bn.forward(Tensor.randn(new Generator(0), 8, 16, 28, 28));   // training: batch statistics
 * bn.eval();
 * Tensor z = bn.forward(Tensor.randn(new Generator(1), 1, 16, 28, 28));   // running statistics
 * }</pre>
 */
public final class BatchNorm2d extends BatchNormBase {
    /** eps 1e-5, momentum 0.1, affine, tracking running statistics: PyTorch's defaults. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        this(numFeatures, eps, momentum, affine, trackRunningStats, DType.FLOAT32);
    }

    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, DType dtype) {
        super("BatchNorm2d", "numFeatures", numFeatures, eps, momentum, affine, trackRunningStats, dtype);
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("BatchNorm2d: expected a 4-d input [N, " + features + ", H, W], got shape "
                    + Arrays.toString(shape));
        }
        if (shape[1] != features) {
            throw new IllegalArgumentException("BatchNorm2d: expected " + features + " channels (numFeatures) in dimension 1 of an"
                    + " input [N, " + features + ", H, W], got " + shape[1] + " in shape " + Arrays.toString(shape));
        }
        boolean useBatchStatistics = isTraining() || !trackRunningStatistics;
        if (!useBatchStatistics) {
            int[] channelShape = {features, 1, 1};
            Tensor mean = Tensor.of(runningMean().reshape(channelShape));
            Tensor std = Tensor.of(runningVar().add(eps).sqrt().reshape(channelShape));
            Tensor normalized = input.sub(mean).div(std);
            return weight == null ? normalized : normalized.mul(weight.reshape(channelShape)).add(bias.reshape(channelShape));
        }
        long count = (long) shape[0] * shape[2] * shape[3];
        if (isTraining() && count <= 1) {
            throw new IllegalArgumentException("BatchNorm2d: expected more than 1 value per channel when training, got input shape "
                    + Arrays.toString(shape) + " (use a batch or image with N H W of at least 2, or eval())");
        }
        Tensor planes = input.reshape(shape[0], features, shape[2] * shape[3]);
        BatchNormFunction function = new BatchNormFunction(eps, weight != null, true);
        Tensor out = weight != null ? function.apply(planes, weight, bias) : function.apply(planes);
        if (isTraining() && trackRunningStatistics) {
            updateRunningStatistics(function.mean(), function.variance(), count);
        }
        return out.reshape(shape);
    }
}
