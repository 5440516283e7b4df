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
 * Batch normalization of x [N, C], or per channel of x [N, C, L] (BatchNorm2d's planes, L = H W:
 * statistics over N and L), with the batch's statistics, as one op: inputs x and, when affine,
 * weight and bias [C].
 * <pre>
 *   x&#x302; = (x - mean) invStd,   y = x&#x302; weight + bias
 *   dbias = &Sigma;&#x2099; dy        dweight = &Sigma;&#x2099; dy x&#x302;
 *   dx = weight invStd (dy - dbias / N - x&#x302; dweight / N)
 * </pre>
 * Forward and backward run the backend's fused kernels ({@code FusedKernels.batchNormForward} and
 * {@code batchNormBackward}, or their spatial forms, which read each channel's N runs of L values
 * in place): on the CPU five passes over the activations instead of about sixteen for the same
 * formula composed from primitives. When the backward itself is being
 * recorded (a backward with {@code createGraph}, for Hessian-vector products) it is written with
 * tensor ops in terms of x instead, so that it can be differentiated again.
 */
final class BatchNormFunction extends Function {
    private static final int[] ROWS = {0};
    private static final int[] BATCH_AND_SPATIAL = {0, 2};
    private final double eps;
    private final boolean affine;
    /** Whether x is [N, C, L] (statistics over N and L) rather than [N, C]. */
    private final boolean spatial;
    private NDArray mean;
    private NDArray invStd;

    /** Over the rows of x [N, C]. */
    BatchNormFunction(double eps, boolean affine) {
        this(eps, affine, false);
    }

    /** Over the rows of x [N, C], or, when {@code spatial}, over N and L of x [N, C, L]. */
    BatchNormFunction(double eps, boolean affine, boolean spatial) {
        this.eps = eps;
        this.affine = affine;
        this.spatial = spatial;
    }

    @Override
    public String name() {
        return spatial ? "BatchNorm2d" : "BatchNorm";
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
        int features = x.shape()[1];
        NDArray out = NDArray.empty(x.dtype(), x.shape(), x.device());
        mean = NDArray.empty(x.dtype(), new int[] {features}, x.device());
        invStd = NDArray.empty(x.dtype(), new int[] {features}, x.device());
        BatchNormStatistics statistics = new BatchNormStatistics(mean, invStd);
        if (spatial) {
            x.backend().fused().spatialBatchNormForward(x, affine ? in[1] : null, affine ? in[2] : null, eps, out, statistics);
        } else {
            x.backend().fused().batchNormForward(x, affine ? in[1] : null, affine ? in[2] : null, eps, out, statistics);
        }
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
        NDArray gradInput = ctx.needsInputGrad(0) ? NDArray.empty(x.dtype(), x.shape(), x.device()) : null;
        NDArray gradWeight = affine && ctx.needsInputGrad(1) ? NDArray.empty(x.dtype(), weight.shape(), x.device()) : null;
        NDArray gradBias = affine && ctx.needsInputGrad(2) ? NDArray.empty(x.dtype(), weight.shape(), x.device()) : null;
        BatchNormStatistics statistics = new BatchNormStatistics(ctx.saved(1).data(), ctx.saved(2).data());
        BatchNormGradients gradients = new BatchNormGradients(gradInput, gradWeight, gradBias);
        if (spatial) {
            x.backend().fused().spatialBatchNormBackward(g.data().contiguous(), x, weight, statistics, gradients);
        } else {
            x.backend().fused().batchNormBackward(g.data().contiguous(), x, weight, statistics, gradients);
        }
        Tensor[] grads = new Tensor[affine ? 3 : 1];
        grads[0] = gradInput == null ? null : newGradient(gradInput);
        if (affine) {
            grads[1] = gradWeight == null ? null : newGradient(gradWeight);
            grads[2] = gradBias == null ? null : newGradient(gradBias);
        }
        return grads;
    }

    /** The same gradients written with tensor ops of x, so a recorded backward can be differentiated again. */
    private Tensor[] differentiableBackward(Context ctx, Tensor g) {
        Tensor x = ctx.saved(0);
        int[] dimensions = spatial ? BATCH_AND_SPATIAL : ROWS;
        int n = spatial ? x.shape(0) * x.shape(2) : x.shape(0);
        Tensor centered = x.sub(x.mean(dimensions, true));
        Tensor inverse = centered.mul(centered).mean(dimensions, true).add(eps).sqrt().reciprocal();
        Tensor normalized = centered.mul(inverse);
        Tensor sumGrad = g.sum(dimensions, true);
        Tensor sumGradNormalized = g.mul(normalized).sum(dimensions, true);
        Tensor scale = affine ? inverse.mul(spatial ? ctx.saved(3).reshape(-1, 1) : ctx.saved(3)) : inverse;
        Tensor gradInput = g.sub(sumGrad.div(n)).sub(normalized.mul(sumGradNormalized).div(n)).mul(scale);
        if (!affine) {
            return new Tensor[] {gradInput};
        }
        return new Tensor[] {gradInput, sumGradNormalized.reshape(-1), sumGrad.reshape(-1)};
    }
}
