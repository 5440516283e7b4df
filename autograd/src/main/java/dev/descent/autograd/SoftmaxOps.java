package dev.descent.autograd;

import dev.descent.core.NDArray;

/**
 * Softmax and log-softmax as fused primitives: the forward subtracts the row maximum before
 * exponentiating, so it never overflows, and the backward uses the saved output.
 * With y = softmax(x): dx = y (g - sum(g y)); with y = logSoftmax(x): dx = g - exp(y) sum(g).
 */
final class SoftmaxOps {
    private SoftmaxOps() {
    }

    static NDArray logSoftmax(NDArray x, int dim) {
        return x.sub(x.logSumExp(new int[] {dim}, true));
    }

    static final class Softmax extends Function {
        private final int dim;

        Softmax(int dim) {
            this.dim = dim;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = logSoftmax(in[0], dim).exp();
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor y = ctx.saved(0);
            Tensor weighted = g.mul(y);
            return new Tensor[] {weighted.sub(y.mul(weighted.sum(new int[] {dim}, true)))};
        }
    }

    static final class LogSoftmax extends Function {
        private final int dim;

        LogSoftmax(int dim) {
            this.dim = dim;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = logSoftmax(in[0], dim);
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor y = ctx.saved(0);
            return new Tensor[] {g.sub(y.exp().mul(g.sum(new int[] {dim}, true)))};
        }
    }
}
