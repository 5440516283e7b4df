package dev.descent.autograd;

import dev.descent.core.NDArray;
import dev.descent.core.Shape;

/**
 * The reduction primitives, sum and max/min; mean, var, std, logSumExp and norm are composed from
 * them in {@link Tensor}. The gradient of a reduction spreads the output gradient back over the
 * reduced dimensions.
 */
final class ReductionOps {
    private ReductionOps() {
    }

    /** How many elements each output of a reduction over {@code dims} combines. */
    static int count(Tensor x, int[] dims) {
        int count = 1;
        boolean[] seen = new boolean[x.rank()];
        for (int dim : dims) {
            int d = Shape.normalizeDim("reduce", dim, x.rank());
            if (!seen[d]) {
                count *= x.shape(d);
                seen[d] = true;
            }
        }
        return count;
    }

    /** {@code shape} with the reduced dimensions removed. */
    static int[] withoutDims(int[] shape, int[] dims) {
        boolean[] reduced = new boolean[shape.length];
        for (int dim : dims) {
            reduced[Shape.normalizeDim("reduce", dim, shape.length)] = true;
        }
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> !reduced[d]).map(d -> shape[d]).toArray();
    }

    /** {@code grad} of a reduction over {@code dims} brought back to the input's shape. */
    private static Tensor spread(Tensor grad, int[] inputShape, int[] dims, boolean keepDim) {
        Tensor kept = grad;
        if (!keepDim) {
            int[] keptShape = inputShape.clone();
            for (int dim : dims) {
                keptShape[Shape.normalizeDim("reduce", dim, inputShape.length)] = 1;
            }
            kept = grad.reshape(keptShape);
        }
        return kept.expand(inputShape);
    }

    static final class Sum extends Function {
        private final int[] dims;
        private final boolean keepDim;

        Sum(int[] dims, boolean keepDim) {
            this.dims = dims.clone();
            this.keepDim = keepDim;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].sum(dims, keepDim);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {spread(g, ctx.inputShape(0), dims, keepDim)};
        }
    }

    /** max or min; the gradient is divided equally among the elements that attain the extreme. */
    static final class Extreme extends Function {
        private final int[] dims;
        private final boolean keepDim;
        private final boolean max;

        Extreme(int[] dims, boolean keepDim, boolean max) {
            this.dims = dims.clone();
            this.keepDim = keepDim;
            this.max = max;
        }

        @Override
        public String name() {
            return max ? "Max" : "Min";
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray x = in[0];
            NDArray extreme = max ? x.max(dims, true) : x.min(dims, true);
            NDArray ties = x.eq(extreme).astype(x.dtype());
            ctx.save(ties.divi(ties.sum(dims, true)));
            return keepDim ? extreme : extreme.reshape(withoutDims(x.shape(), dims));
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {spread(g, ctx.inputShape(0), dims, keepDim).mul(ctx.saved(0))};
        }
    }
}
