package dev.descent.distributed;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.nn.Module;
import dev.descent.nn.Parameter;
import java.util.Arrays;

/**
 * Batch normalization over the channels of {@code [N, C]} inputs with the statistics of the whole
 * group's batch, as {@code torch.nn.SyncBatchNorm}: in training, each replica's mean and variance
 * are those of every replica's rows together (all-reduced in forward, and the gradients' sums in
 * backward), so data-parallel training with it matches one replica training on the global batch;
 * the running statistics move towards the global batch's (the unbiased variance over the global
 * count). In evaluation the running statistics are used, with no communication. Parameters and
 * buffers have {@link dev.descent.nn.BatchNorm1d}'s names (weight, bias, running_mean, running_var,
 * num_batches_tracked), so weights load into either.
 */
public final class SyncBatchNorm extends Module {
    private final int features;
    private final double eps;
    private final double momentum;
    private final ProcessGroup group;
    private final Parameter weight;
    private final Parameter bias;

    /** eps 1e-5, momentum 0.1, float32: PyTorch's defaults. */
    public SyncBatchNorm(int features, ProcessGroup group) {
        this(features, 1e-5, 0.1, DType.FLOAT32, group);
    }

    public SyncBatchNorm(int features, double eps, double momentum, DType dtype, ProcessGroup group) {
        if (features <= 0) {
            throw new IllegalArgumentException("SyncBatchNorm: features must be positive, got " + features);
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("SyncBatchNorm: eps must be positive and momentum in [0, 1], got " + eps + " and " + momentum);
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.group = group;
        this.weight = registerParameter("weight", new Parameter(NDArray.ones(dtype, features)));
        this.bias = registerParameter("bias", new Parameter(NDArray.zeros(dtype, features)));
        registerBuffer("running_mean", NDArray.zeros(dtype, features));
        registerBuffer("running_var", NDArray.ones(dtype, features));
        registerBuffer("num_batches_tracked", NDArray.zeros(DType.INT32));
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 2 || input.shape(1) != features) {
            throw new IllegalArgumentException("SyncBatchNorm: expected an input of shape [N, " + features + "], got "
                    + Arrays.toString(input.shape()));
        }
        if (!isTraining()) {
            NDArray mean = namedBuffers().get("running_mean");
            NDArray std = namedBuffers().get("running_var").add(eps).sqrt();
            return input.sub(Tensor.of(mean)).div(Tensor.of(std)).mul(weight).add(bias);
        }
        SyncBatchNormFunction function = new SyncBatchNormFunction(group, eps);
        Tensor out = function.apply(input, weight, bias);
        long count = function.count();
        if (count <= 1) {
            throw new IllegalArgumentException("SyncBatchNorm: expected more than 1 value per channel over the group when training, got "
                    + count);
        }
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            NDArray runningMean = namedBuffers().get("running_mean");
            NDArray runningVar = namedBuffers().get("running_var");
            NDArray tracked = namedBuffers().get("num_batches_tracked");
            tracked.addi(tracked.onesLike());
            runningMean.muli(1 - momentum).addi(function.mean().mul(momentum).astype(runningMean.dtype()));
            runningVar.muli(1 - momentum).addi(function.variance().mul(momentum * count / (count - 1.0)).astype(runningVar.dtype()));
        }
        return out;
    }

    @Override
    protected String describe() {
        return features + ", eps=" + eps + ", momentum=" + momentum + ", rank " + group.rank() + " of " + group.worldSize();
    }
}
