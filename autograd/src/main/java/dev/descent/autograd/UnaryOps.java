package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.NDArray;

/**
 * Elementwise primitives of one tensor. Where the derivative is most cheaply written with the
 * output (exp, sqrt, sigmoid, tanh, relu) the output is saved; where it is a 0/1 mask (clamp, abs)
 * the mask is saved as a constant, which is also its exact derivative almost everywhere (relu
 * rebuilds its mask from the output).
 */
final class UnaryOps {
    private UnaryOps() {
    }

    private static Tensor[] one(Tensor grad) {
        return new Tensor[] {grad};
    }

    static final class Exp extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = in[0].exp();
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.mul(ctx.saved(0)));
        }
    }

    static final class Log extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0]);
            return in[0].log();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.div(ctx.saved(0)));
        }
    }

    static final class Log1p extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0]);
            return in[0].log1p();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.div(ctx.saved(0).add(1)));
        }
    }

    /** d sqrt(x) = 1 / (2 sqrt(x)). */
    static final class Sqrt extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = in[0].sqrt();
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.div(ctx.saved(0).mul(2)));
        }
    }

    /** d|x| = sign(x), taking 0 at 0. */
    static final class Abs extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0].sign());
            return in[0].abs();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.mul(ctx.saved(0)));
        }
    }

    /** The gradient passes where min &lt;= x &lt;= max (both bounds included, as in PyTorch). */
    static final class Clamp extends Function {
        private final double min;
        private final double max;

        Clamp(double min, double max) {
            this.min = min;
            this.max = max;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = in[0].clamp(min, max);
            ctx.save(in[0].ge(min).mul(in[0].le(max)).astype(in[0].dtype()));
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.mul(ctx.saved(0)));
        }
    }

    /**
     * d relu = [x &gt; 0]. The output is saved rather than a mask made in the forward pass: where
     * the output is positive so is x, so sign(output) is the mask, built only when a backward
     * pass asks for it (two vector passes then, instead of a compare and a conversion every
     * forward).
     */
    static final class Relu extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = in[0].relu();
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            NDArray mask = ctx.saved(0).data().sign();
            if (!GradMode.isEnabled()) {
                // a first-order backward: the new mask array becomes the gradient, one array a step fewer
                return one(newGradient(mask.muli(g.data())));
            }
            return one(g.mul(Tensor.of(mask)));
        }
    }

    /** d sigmoid = s (1 - s). */
    static final class Sigmoid extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = in[0].sigmoid();
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor s = ctx.saved(0);
            return one(g.mul(s.mul(s.neg().add(1))));
        }
    }

    /** d tanh = 1 - tanh^2. */
    static final class Tanh extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = in[0].tanh();
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor t = ctx.saved(0);
            return one(g.mul(t.square().neg().add(1)));
        }
    }

    /** d erf(x) = 2/sqrt(pi) exp(-x^2). */
    static final class Erf extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0]);
            return in[0].erf();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor x = ctx.saved(0);
            return one(g.mul(x.square().neg().exp().mul(2 / Math.sqrt(Math.PI))));
        }
    }

    static final class Sin extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0]);
            return in[0].sin();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.mul(ctx.saved(0).cos()));
        }
    }

    static final class Cos extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0]);
            return in[0].cos();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.mul(ctx.saved(0).sin().neg()));
        }
    }

    static final class Tan extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray out = in[0].tan();
            ctx.save(out);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.mul(ctx.saved(0).square().add(1)));
        }
    }

    static final class Atan extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0]);
            return in[0].atan();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.div(ctx.saved(0).square().add(1)));
        }
    }

    static final class Cast extends Function {
        private final DType dtype;

        Cast(DType dtype) {
            this.dtype = dtype;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].astype(dtype);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.astype(ctx.inputDtype(0)));
        }
    }

    static final class ToDevice extends Function {
        private final Device device;
        private Device source;

        ToDevice(Device device) {
            this.device = device;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            source = in[0].device();
            return in[0].to(device);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g.to(source));
        }
    }

    static final class Copy extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].copy();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return one(g);
        }
    }
}
