package dev.descent.nn;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.NDArray;

/**
 * Batch normalization of x [N, C, L] per channel over N and L with the batch's statistics, as one
 * op (BatchNorm2d's [N, C, H, W] seen as [N, C, H W]): inputs x and, when affine, weight and bias
 * [C]. With M = N L and the sums over n and l:
 * <pre>
 *   x&#x302; = (x - mean) invStd,   y = x&#x302; weight + bias
 *   dbias = &Sigma; dy        dweight = &Sigma; dy x&#x302;
 *   dx = weight invStd (dy - dbias / M - x&#x302; dweight / M)
 * </pre>
 * Forward and backward run the backend's fused kernels ({@code FusedKernels.spatialBatchNormForward}
 * and {@code spatialBatchNormBackward}), which read each channel's N runs of L values in place.
 * When the backward itself is being recorded (createGraph) it is written with tensor ops in terms
 * of x instead, as {@link BatchNormFunction} does, so that it can be differentiated again.
 */
final class SpatialBatchNormFunction extends Function {
    private static final int[] BATCH_AND_SPATIAL = {0, 2};
    private final double eps;
    private final boolean affine;
    private NDArray mean;
    private NDArray invStd;

    SpatialBatchNormFunction(double eps, boolean affine) {
        this.eps = eps;
        this.affine = affine;
    }

    @Override
    public String name() {
        return "BatchNorm2d";
    }

    /** The batch mean [C] of the last forward. */
    NDArray mean() {
        return mean;
    }

    /** The biased batch variance [C] of the last forward, recovered from 1 / sqrt(var + eps) in float64. */
    NDArray variance() {
        NDArray inverse = invStd.astype(DType.FLOAT64);
        return inverse.mul(inverse).reciprocal().sub(eps).maximum(0).astype(invStd.dtype());
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray x = in[0];
        int channels = x.shape()[1];
        NDArray out = NDArray.empty(x.dtype(), x.shape(), x.device());
        mean = NDArray.empty(x.dtype(), new int[] {channels}, x.device());
        invStd = NDArray.empty(x.dtype(), new int[] {channels}, x.device());
        x.backend().fused().spatialBatchNormForward(x, affine ? in[1] : null, affine ? in[2] : null, eps, out,
                new BatchNormStatistics(mean, invStd));
        if (affine) {
            ctx.save(x, mean, invStd, in[1]);
        } else {
            ctx.save(x, mean, invStd);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        if (GradMode.isEnabled()) {
            return differentiableBackward(ctx, g);
        }
        NDArray x = ctx.saved(0).data();
        NDArray weight = affine ? ctx.saved(3).data() : null;
        int channels = x.shape()[1];
        NDArray gradInput = ctx.needsInputGrad(0) ? NDArray.empty(x.dtype(), x.shape(), x.device()) : null;
        NDArray gradWeight = affine && ctx.needsInputGrad(1) ? NDArray.empty(x.dtype(), new int[] {channels}, x.device()) : null;
        NDArray gradBias = affine && ctx.needsInputGrad(2) ? NDArray.empty(x.dtype(), new int[] {channels}, x.device()) : null;
        x.backend().fused().spatialBatchNormBackward(g.data().contiguous(), x, weight,
                new BatchNormStatistics(ctx.saved(1).data(), ctx.saved(2).data()), new BatchNormGradients(gradInput, gradWeight, gradBias));
        Tensor[] grads = new Tensor[affine ? 3 : 1];
        grads[0] = gradInput == null ? null : Tensor.of(gradInput);
        if (affine) {
            grads[1] = gradWeight == null ? null : Tensor.of(gradWeight);
            grads[2] = gradBias == null ? null : Tensor.of(gradBias);
        }
        return grads;
    }

    /** The same gradients written with tensor ops of x, so a recorded backward can be differentiated again. */
    private Tensor[] differentiableBackward(Context ctx, Tensor g) {
        Tensor x = ctx.saved(0);
        int count = x.shape(0) * x.shape(2);
        Tensor centered = x.sub(x.mean(BATCH_AND_SPATIAL, true));
        Tensor inverse = centered.mul(centered).mean(BATCH_AND_SPATIAL, true).add(eps).sqrt().reciprocal();
        Tensor normalized = centered.mul(inverse);
        Tensor sumGrad = g.sum(BATCH_AND_SPATIAL, true);
        Tensor sumGradNormalized = g.mul(normalized).sum(BATCH_AND_SPATIAL, true);
        Tensor scale = affine ? inverse.mul(ctx.saved(3).reshape(-1, 1)) : inverse;
        Tensor gradInput = g.sub(sumGrad.div(count)).sub(normalized.mul(sumGradNormalized).div(count)).mul(scale);
        if (!affine) {
            return new Tensor[] {gradInput};
        }
        return new Tensor[] {gradInput, sumGradNormalized.reshape(-1), sumGrad.reshape(-1)};
    }
}
