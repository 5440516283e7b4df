package dev.descent.nn;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels.Window;

/**
 * The autograd ops of 2-D pooling (NCHW), on the backend's {@link dev.descent.core.PoolingKernels}.
 * Each pooling is, for fixed argmax indices or fixed windows, a linear map P of x, so its backward
 * is the adjoint P<sup>T</sup> and the adjoint's backward is P again:
 * <pre>
 *   max:      y = gather(x, argmax)          dx = scatterAdd(dy, argmax)     d(dy) = gather(ggx, argmax)
 *   average:  y = A x                        dx = A<sup>T</sup> dy                  d(dy) = A ggx
 * </pre>
 * Backward applies the adjoint as a Function, so when the backward is recorded (createGraph) it is
 * differentiable again to any order, and when it is not it costs one kernel call. The argmax is
 * constant (ties between inputs have measure zero), so max pooling has no second derivative in x.
 */
final class PoolingFunctions {
    private PoolingFunctions() {
    }

    /** Max pooling of x [N, C, H, W] to {@code outShape}, keeping the argmax of each window for backward. */
    static final class MaxPool extends Function {
        private final Window window;
        private final int[] outShape;
        private NDArray indices;

        MaxPool(Window window, int[] outShape) {
            this.window = window;
            this.outShape = outShape.clone();
        }

        @Override
        public String name() {
            return "MaxPool2d";
        }

        /** The INT32 argmax [N, C, oH, oW] of the forward, as positions h W + w in the input plane. */
        NDArray indices() {
            return indices;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray x = in[0];
            NDArray out = NDArray.empty(x.dtype(), outShape, x.device());
            indices = NDArray.empty(DType.INT32, outShape, x.device());
            x.backend().pooling().maxPool2d(x, window, out, indices);
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {new MaxUnpool(indices, ctx.inputShape(0)).apply(g)};
        }
    }

    /** The adjoint of {@link MaxPool}: g [N, C, oH, oW] added into zeros [N, C, H, W] at the argmax. */
    static final class MaxUnpool extends Function {
        private final NDArray indices;
        private final int[] inputShape;

        MaxUnpool(NDArray indices, int[] inputShape) {
            this.indices = indices;
            this.inputShape = inputShape.clone();
        }

        @Override
        public String name() {
            return "MaxPool2dBackward";
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray g = in[0];
            NDArray gradInput = NDArray.empty(g.dtype(), inputShape, g.device());
            g.backend().pooling().maxPool2dBackward(g, indices, gradInput);
            return gradInput;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gg) {
            int[] o = ctx.inputShape(0);
            Tensor planes = gg.reshape(inputShape[0], inputShape[1], inputShape[2] * inputShape[3]);
            return new Tensor[] {planes.gather(2, indices.reshape(o[0], o[1], o[2] * o[3])).reshape(o)};
        }
    }

    /**
     * Average pooling (over a {@link Window}, or adaptive when the window is null) from
     * {@code inShape} to {@code outShape}, or with {@code adjoint} its transpose from
     * {@code outShape} back to {@code inShape}.
     */
    static final class AveragePool extends Function {
        private final Window window;
        private final boolean countIncludePad;
        private final int[] inShape;
        private final int[] outShape;
        private final boolean adjoint;

        AveragePool(Window window, boolean countIncludePad, int[] inShape, int[] outShape, boolean adjoint) {
            this.window = window;
            this.countIncludePad = countIncludePad;
            this.inShape = inShape.clone();
            this.outShape = outShape.clone();
            this.adjoint = adjoint;
        }

        @Override
        public String name() {
            String pool = window == null ? "AdaptiveAvgPool2d" : "AvgPool2d";
            return adjoint ? pool + "Backward" : pool;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            NDArray x = in[0];
            NDArray out = NDArray.empty(x.dtype(), adjoint ? inShape : outShape, x.device());
            if (window == null) {
                if (adjoint) {
                    x.backend().pooling().adaptiveAvgPool2dBackward(x, out);
                } else {
                    x.backend().pooling().adaptiveAvgPool2d(x, out);
                }
            } else if (adjoint) {
                x.backend().pooling().avgPool2dBackward(x, window, countIncludePad, out);
            } else {
                x.backend().pooling().avgPool2d(x, window, countIncludePad, out);
            }
            return out;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {new AveragePool(window, countIncludePad, inShape, outShape, !adjoint).apply(g)};
        }
    }
}
