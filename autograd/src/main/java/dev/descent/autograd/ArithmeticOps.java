package dev.descent.autograd;

import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * The arithmetic primitives. Broadcasting makes an input's value feed several outputs, so its
 * gradient is the output gradient summed over the broadcast dimensions ({@link #sumTo}).
 */
final class ArithmeticOps {
    private ArithmeticOps() {
    }

    /** {@code grad} summed over the dimensions along which an input of {@code shape} was broadcast. */
    static Tensor sumTo(Tensor grad, int[] shape) {
        int[] gradShape = grad.shape();
        if (Arrays.equals(gradShape, shape)) {
            return grad;
        }
        int lead = gradShape.length - shape.length;
        int[] dims = java.util.stream.IntStream.range(0, gradShape.length)
                .filter(d -> d < lead || (shape[d - lead] == 1 && gradShape[d] != 1)).toArray();
        return grad.sum(dims, true).reshape(shape);
    }

    static final class Add extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].add(in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {
                ctx.needsInputGrad(0) ? sumTo(g, ctx.inputShape(0)) : null,
                ctx.needsInputGrad(1) ? sumTo(g, ctx.inputShape(1)) : null};
        }
    }

    static final class Sub extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].sub(in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {
                ctx.needsInputGrad(0) ? sumTo(g, ctx.inputShape(0)) : null,
                ctx.needsInputGrad(1) ? sumTo(g.neg(), ctx.inputShape(1)) : null};
        }
    }

    static final class Mul extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0], in[1]);
            return in[0].mul(in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor a = ctx.saved(0);
            Tensor b = ctx.saved(1);
            return new Tensor[] {
                ctx.needsInputGrad(0) ? sumTo(g.mul(b), ctx.inputShape(0)) : null,
                ctx.needsInputGrad(1) ? sumTo(g.mul(a), ctx.inputShape(1)) : null};
        }
    }

    /** d(a/b) = g/b for a, -g a/b^2 for b. */
    static final class Div extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0], in[1]);
            return in[0].div(in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor a = ctx.saved(0);
            Tensor b = ctx.saved(1);
            Tensor ga = g.div(b);
            return new Tensor[] {
                ctx.needsInputGrad(0) ? sumTo(ga, ctx.inputShape(0)) : null,
                ctx.needsInputGrad(1) ? sumTo(ga.mul(a).div(b).neg(), ctx.inputShape(1)) : null};
        }
    }

    static final class Neg extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].neg();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {g.neg()};
        }
    }

    /** d(x^p) = p x^(p-1). */
    static final class PowScalar extends Function {
        private final double exponent;

        PowScalar(double exponent) {
            this.exponent = exponent;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0]);
            return in[0].pow(exponent);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            if (exponent == 0) {
                return new Tensor[] {g.mul(0)};
            }
            Tensor x = ctx.saved(0);
            Tensor local = exponent == 1 ? x.mul(0).add(1) : exponent == 2 ? x.mul(2) : x.pow(exponent - 1).mul(exponent);
            return new Tensor[] {g.mul(local)};
        }
    }

    /** d(a^b) = b a^(b-1) for a and a^b log(a) for b. */
    static final class Pow extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0], in[1]);
            return in[0].pow(in[1]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor a = ctx.saved(0);
            Tensor b = ctx.saved(1);
            return new Tensor[] {
                ctx.needsInputGrad(0) ? sumTo(g.mul(b).mul(a.pow(b.sub(1))), ctx.inputShape(0)) : null,
                ctx.needsInputGrad(1) ? sumTo(g.mul(a.pow(b)).mul(a.log()), ctx.inputShape(1)) : null};
        }
    }
}
