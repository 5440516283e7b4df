package dev.descent.autograd;

import dev.descent.core.NDArray;

/**
 * Shape primitives. Their gradients move the output gradient back into the input's shape: the
 * inverse reshape or permutation, a sum over broadcast dimensions for expand, and for slices the
 * gradient placed into zeros of the input's shape ({@link Embed}, whose own gradient is the slice
 * again, so second derivatives flow through).
 */
final class ViewOps {
    private ViewOps() {
    }

    /** A view of an array or of a tensor, taken the same way: a slice or a select. */
    interface ViewRecipe {
        NDArray of(NDArray full);

        Tensor of(Tensor full);
    }

    static final class Reshape extends Function {
        private final int[] shape;

        Reshape(int[] shape) {
            this.shape = shape.clone();
        }

        @Override
        boolean isView() {
            return true;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].reshape(shape);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g.reshape(ctx.inputShape(0))};
        }
    }

    static final class Permute extends Function {
        private final int[] order;

        Permute(int[] order) {
            this.order = order.clone();
        }

        @Override
        boolean isView() {
            return true;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].permute(order);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            int rank = order.length;
            int[] inverse = new int[rank];
            for (int d = 0; d < rank; d++) {
                inverse[Math.floorMod(order[d], rank)] = d;
            }
            return new Tensor[] {g.permute(inverse)};
        }
    }

    static final class Expand extends Function {
        private final int[] shape;

        Expand(int[] shape) {
            this.shape = shape.clone();
        }

        @Override
        boolean isView() {
            return true;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].expand(shape);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {ArithmeticOps.sumTo(g, ctx.inputShape(0))};
        }
    }

    /** Entries {@code start, start + step, ...} below {@code end} of one dimension. */
    static final class Slice extends Function implements ViewRecipe {
        private final int dim;
        private final int start;
        private final int end;
        private final int step;

        Slice(int dim, int start, int end, int step) {
            this.dim = dim;
            this.start = start;
            this.end = end;
            this.step = step;
        }

        @Override
        boolean isView() {
            return true;
        }

        @Override
        public NDArray of(NDArray full) {
            return full.slice(dim, start, end, step);
        }

        @Override
        public Tensor of(Tensor full) {
            return full.slice(dim, start, end, step);
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return of(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {new Embed(ctx.inputShape(0), this).apply(g)};
        }
    }

    static final class Select extends Function implements ViewRecipe {
        private final int dim;
        private final int index;

        Select(int dim, int index) {
            this.dim = dim;
            this.index = index;
        }

        @Override
        boolean isView() {
            return true;
        }

        @Override
        public NDArray of(NDArray full) {
            return full.select(dim, index);
        }

        @Override
        public Tensor of(Tensor full) {
            return full.select(dim, index);
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return of(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {new Embed(ctx.inputShape(0), this).apply(g)};
        }
    }

    /** Places its input into zeros of a larger shape, at the positions a view recipe picks. */
    static final class Embed extends Function {
        private final int[] fullShape;
        private final ViewRecipe recipe;

        Embed(int[] fullShape, ViewRecipe recipe) {
            this.fullShape = fullShape;
            this.recipe = recipe;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray full = NDArray.empty(in[0].dtype(), fullShape, in[0].device());
            recipe.of(full).copyFrom(in[0]);
            return full;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {recipe.of(g)};
        }
    }

    static final class Concat extends Function {
        private final int dim;

        Concat(int dim) {
            this.dim = dim;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return NDArray.concat(dim, in);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor[] grads = new Tensor[ctx.inputCount()];
            int d = Math.floorMod(dim, g.rank());
            int start = 0;
            for (int i = 0; i < grads.length; i++) {
                int length = ctx.inputShape(i)[d];
                grads[i] = ctx.needsInputGrad(i) ? g.narrow(d, start, length) : null;
                start += length;
            }
            return grads;
        }
    }
}
