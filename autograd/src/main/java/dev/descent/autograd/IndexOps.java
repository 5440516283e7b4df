package dev.descent.autograd;

import dev.descent.core.NDArray;

/**
 * Index-driven primitives. gather and scatterAdd are each other's gradient (along the same
 * indices), which keeps both differentiable to any order; indexSelect's gradient is a scatterAdd
 * of whole slices; where routes the gradient to whichever input each element came from.
 */
final class IndexOps {
    private IndexOps() {
    }

    private static Tensor zerosShaped(Tensor like, int[] shape) {
        return Tensor.of(NDArray.empty(like.dtype(), shape, like.device()));
    }

    static final class Gather extends Function {
        private final int dim;
        private final NDArray index;

        Gather(int dim, NDArray index) {
            this.dim = dim;
            this.index = index;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].gather(dim, index);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {zerosShaped(g, ctx.inputShape(0)).scatterAdd(dim, index, g)};
        }
    }

    /** {@code target} with {@code source} added at the indexed positions. */
    static final class ScatterAdd extends Function {
        private final int dim;
        private final NDArray index;

        ScatterAdd(int dim, NDArray index) {
            this.dim = dim;
            this.index = index;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].scatterAdd(dim, index, in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {
                ctx.needsInputGrad(0) ? g : null,
                ctx.needsInputGrad(1) ? g.gather(dim, index) : null};
        }
    }

    static final class IndexSelect extends Function {
        private final int dim;
        private final NDArray index;

        IndexSelect(int dim, NDArray index) {
            this.dim = dim;
            this.index = index;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].indexSelect(dim, index);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            int d = Math.floorMod(dim, g.rank());
            int[] along = new int[g.rank()];
            java.util.Arrays.fill(along, 1);
            along[d] = index.size();
            NDArray spread = index.reshape(along).expand(g.shape()).contiguous();
            return new Tensor[] {zerosShaped(g, ctx.inputShape(0)).scatterAdd(d, spread, g)};
        }
    }

    static final class Where extends Function {
        private final NDArray condition;

        Where(NDArray condition) {
            this.condition = condition;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return NDArray.where(condition, in[0], in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor zero = Tensor.of(NDArray.empty(g.dtype(), new int[0], g.device()));
            return new Tensor[] {
                ctx.needsInputGrad(0) ? ArithmeticOps.sumTo(Tensor.where(condition, g, zero), ctx.inputShape(0)) : null,
                ctx.needsInputGrad(1) ? ArithmeticOps.sumTo(Tensor.where(condition, zero, g), ctx.inputShape(1)) : null};
        }
    }
}
