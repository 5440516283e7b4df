package dev.descent.nn;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.Tensor;
import dev.descent.core.ConvolutionKernels.Geometry;
import dev.descent.core.NDArray;

/**
 * The autograd ops of a 2-D convolution y = conv(x, w) + b (NCHW), on the backend's {@link
 * dev.descent.core.ConvolutionKernels}. The convolution is linear in x and in w, so its gradients
 * are two more linear ops, each a Function of its own:
 * <pre>
 *   dx = InputGradient(dy, w)     (the transposed convolution)
 *   dw = WeightGradient(dy, x)
 *   db = &Sigma;_{n, i, j} dy
 * </pre>
 * and their gradients are again these three: for a gradient ggx of dx, d/d(dy) = conv(ggx, w) and
 * d/dw = WeightGradient(dy, ggx); for a gradient ggw of dw, d/d(dy) = conv(x, ggw) and d/dx =
 * InputGradient(dy, ggw). Backward applies them as Functions, so when the backward is recorded
 * (createGraph) it is differentiable again to any order, and when it is not, it costs one kernel
 * call per gradient.
 */
final class ConvolutionFunctions {
    private static final int[] BATCH_AND_SPATIAL = {0, 2, 3};

    private ConvolutionFunctions() {
    }

    /** conv(x, w) + b for 4-d x and w (already checked); {@code bias} may be null. */
    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Geometry g) {
        return bias == null ? new Forward(g, false).apply(x, w) : new Forward(g, true).apply(x, w, bias);
    }

    /** y = conv(x, w) (+ b): inputs x [N, C, H, W], w [O, C / groups, kH, kW] and optionally b [O]. */
    static final class Forward extends Function {
        private final Geometry g;
        private final boolean hasBias;

        Forward(Geometry g, boolean hasBias) {
            this.g = g;
            this.hasBias = hasBias;
        }

        @Override
        public String name() {
            return "Conv2d";
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray x = in[0];
            NDArray w = in[1];
            int[] ws = w.shape();
            NDArray out = NDArray.empty(x.dtype(), new int[] {x.shape(0), ws[0], g.outputHeight(x.shape(2), ws[2]),
                    g.outputWidth(x.shape(3), ws[3])}, x.device());
            x.backend().convolution().forward(x, w, hasBias ? in[2] : null, g, out);
            ctx.save(x, w);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gy) {
            Tensor x = ctx.saved(0);
            Tensor w = ctx.saved(1);
            Tensor[] grads = new Tensor[hasBias ? 3 : 2];
            grads[0] = ctx.needsInputGrad(0) ? new InputGradient(g, x.shape()).apply(gy, w) : null;
            grads[1] = ctx.needsInputGrad(1) ? new WeightGradient(g, w.shape()).apply(gy, x) : null;
            if (hasBias && ctx.needsInputGrad(2)) {
                grads[2] = gy.sum(BATCH_AND_SPATIAL, false);
            }
            return grads;
        }
    }

    /** dx = the gradient of &Sigma; conv(x, w) dy with respect to x: inputs dy and w; the result has x's shape. */
    static final class InputGradient extends Function {
        private final Geometry g;
        private final int[] inputShape;

        InputGradient(Geometry g, int[] inputShape) {
            this.g = g;
            this.inputShape = inputShape;
        }

        @Override
        public String name() {
            return "Conv2dInputGradient";
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray gy = in[0];
            NDArray w = in[1];
            NDArray gx = NDArray.empty(gy.dtype(), inputShape, gy.device());
            gy.backend().convolution().backwardInput(gy, w, g, gx);
            ctx.save(gy, w);
            return gx;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor ggx) {
            Tensor gy = ctx.saved(0);
            Tensor w = ctx.saved(1);
            return new Tensor[] {
                ctx.needsInputGrad(0) ? new Forward(g, false).apply(ggx, w) : null,
                ctx.needsInputGrad(1) ? new WeightGradient(g, w.shape()).apply(gy, ggx) : null
            };
        }
    }

    /** dw = the gradient of &Sigma; conv(x, w) dy with respect to w: inputs dy and x; the result has w's shape. */
    static final class WeightGradient extends Function {
        private final Geometry g;
        private final int[] weightShape;

        WeightGradient(Geometry g, int[] weightShape) {
            this.g = g;
            this.weightShape = weightShape;
        }

        @Override
        public String name() {
            return "Conv2dWeightGradient";
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray gy = in[0];
            NDArray x = in[1];
            NDArray gw = NDArray.empty(gy.dtype(), weightShape, gy.device());
            gy.backend().convolution().backwardWeight(gy, x, g, gw);
            ctx.save(gy, x);
            return gw;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor ggw) {
            Tensor gy = ctx.saved(0);
            Tensor x = ctx.saved(1);
            return new Tensor[] {
                ctx.needsInputGrad(0) ? new Forward(g, false).apply(x, ggw) : null,
                ctx.needsInputGrad(1) ? new InputGradient(g, x.shape()).apply(gy, ggw) : null
            };
        }
    }
}
