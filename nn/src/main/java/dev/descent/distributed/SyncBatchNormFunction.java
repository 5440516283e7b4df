package dev.descent.distributed;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;

/**
 * Batch normalization of x [n, C] with the statistics of the whole group's batch, as one op
 * (inputs x, weight, bias). Forward all-reduces the channel sums, then the centred squares (two
 * passes, so the variance loses nothing to cancellation); backward all-reduces the sums of dy and
 * dy x&#x302; over the group, because every replica's inputs move every replica's statistics:
 * <pre>
 *   mean = &Sigma;x / N,  var = &Sigma;(x - mean)&sup2; / N   (sums and N over every replica)
 *   x&#x302; = (x - mean) / &radic;(var + eps),  y = x&#x302; weight + bias
 *   dx = weight / &radic;(var + eps) (dy - &Sigma;dy / N - x&#x302; &Sigma;(dy x&#x302;) / N)   (sums over every replica)
 *   dweight = &Sigma;&#x2099; dy x&#x302;,  dbias = &Sigma;&#x2099; dy   (this replica's, which data parallelism then averages)
 * </pre>
 * The backward is not differentiable again (neither is PyTorch's).
 */
final class SyncBatchNormFunction extends Function {
    private final ProcessGroup group;
    private final double eps;
    private NDArray mean;
    private NDArray variance;
    private long count;

    SyncBatchNormFunction(ProcessGroup group, double eps) {
        this.group = group;
        this.eps = eps;
    }

    @Override
    public String name() {
        return "SyncBatchNorm";
    }

    /** The group's batch mean [C], float64. */
    NDArray mean() {
        return mean;
    }

    /** The group's biased batch variance [C], float64. */
    NDArray variance() {
        return variance;
    }

    /** The number of rows over the whole group. */
    long count() {
        return count;
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray x = in[0].astype(DType.FLOAT64);
        int features = x.shape(1);
        NDArray sums = NDArray.zeros(DType.FLOAT64, features + 1);
        sums.narrow(0, 0, features).copyFrom(x.sum(0));
        sums.narrow(0, features, 1).fill(x.shape(0));
        group.allReduce(sums, ReduceOp.SUM);
        count = (long) sums.toDoubleArray()[features];
        mean = sums.narrow(0, 0, features).div(count);
        NDArray centered = x.sub(mean);
        NDArray squares = centered.mul(centered).sum(0);
        group.allReduce(squares, ReduceOp.SUM);
        variance = squares.div(count);
        NDArray invStd = variance.add(eps).sqrt().reciprocal();
        NDArray normalized = centered.mul(invStd);
        ctx.save(normalized, invStd, in[1].astype(DType.FLOAT64));
        return normalized.mul(in[1].astype(DType.FLOAT64)).add(in[2].astype(DType.FLOAT64)).astype(in[0].dtype());
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        NDArray normalized = ctx.saved(0).data();
        NDArray invStd = ctx.saved(1).data();
        NDArray dy = g.data().astype(DType.FLOAT64);
        int features = normalized.shape(1);
        NDArray localSumDy = dy.sum(0);
        NDArray localSumDyNormalized = dy.mul(normalized).sum(0);
        NDArray sums = NDArray.zeros(DType.FLOAT64, 2 * features);
        sums.narrow(0, 0, features).copyFrom(localSumDy);
        sums.narrow(0, features, features).copyFrom(localSumDyNormalized);
        group.allReduce(sums, ReduceOp.SUM);
        NDArray meanDy = sums.narrow(0, 0, features).div(count);
        NDArray meanDyNormalized = sums.narrow(0, features, features).div(count);
        DType dtype = g.dtype();
        NDArray weight = ctx.saved(2).data();
        NDArray gradInput = dy.sub(meanDy).sub(normalized.mul(meanDyNormalized)).mul(invStd.mul(weight));
        return new Tensor[] {Tensor.of(gradInput.astype(dtype)), Tensor.of(localSumDyNormalized.astype(dtype)),
            Tensor.of(localSumDy.astype(dtype))};
    }
}
