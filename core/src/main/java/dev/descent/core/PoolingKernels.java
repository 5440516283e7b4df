package dev.descent.core;

/**
 * Two-dimensional pooling of NCHW arrays (max with the argmax kept, average, adaptive average),
 * forward and backward: the kernel family a backend provides through {@link Backend#pooling()}.
 * Each default here composes {@link NDArray} operations (a padded copy read through one strided
 * view per kernel tap, elementwise maxima or sums, a scatter-add, small matrix products), so every
 * device computes the right result before it has kernels of its own; a backend overrides what it
 * does faster and calls {@code PoolingKernels.super} for layouts it does not handle.
 *
 * <p>For x [N, C, H, W] and a {@link Window}, output row i covers input rows
 * {@code i strideH - padH + a dilationH} for {@code a < kernelH} (columns likewise), positions
 * outside the input being padding. The output size [oH, oW] is the shape of {@code out}; windows
 * may reach past the padding on the bottom and right (PyTorch's ceil mode), and every window holds
 * at least one input element. The caller checks the arguments: one device, one floating-point
 * dtype, consistent shapes; {@code out}, {@code indices} and {@code gradInput} are new contiguous
 * arrays; {@code x} and {@code grad} may be any strided views.
 *
 * <pre>{@code
 * NDArray x = NDArray.randn(new Generator(0), 2, 3, 8, 8);
 * NDArray y = NDArray.zeros(2, 3, 4, 4);
 * NDArray argmax = NDArray.zeros(DType.INT32, 2, 3, 4, 4);
 * x.backend().pooling().maxPool2d(x, PoolingKernels.Window.of(2, 2, 0), y, argmax);
 * }</pre>
 */
public interface PoolingKernels {

    /** The composed kernels, for a backend that has none of its own. */
    PoolingKernels COMPOSED = new PoolingKernels() {
    };

    /** Kernel size, stride, padding (the same on both sides) and dilation of a 2-D pooling window. */
    record Window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {

        /** A square kernel with one stride and padding for both dimensions, dilation 1. */
        public static Window of(int kernel, int stride, int pad) {
            return new Window(kernel, kernel, stride, stride, pad, pad, 1, 1);
        }

        /** The first input row of output row {@code i} (negative inside the top padding). */
        public int rowStart(int i) {
            return i * strideH - padH;
        }

        /** The first input column of output column {@code j}. */
        public int columnStart(int j) {
            return j * strideW - padW;
        }
    }

    /**
     * Max pooling: {@code out[n, c, i, j]} = the largest input element of the window (NaN if any
     * is NaN), {@code indices[n, c, i, j]} (INT32) = its position {@code h W + w} in the input
     * plane, the first largest in row-major window order (the last NaN); padding never wins.
     */
    default void maxPool2d(NDArray x, Window w, NDArray out, NDArray indices) {
        int[] s = x.shape();
        int oh = out.shape(2);
        int ow = out.shape(3);
        NDArray padded = padded(x, w, oh, ow, Double.NEGATIVE_INFINITY);
        NDArray best = NDArray.empty(x.dtype(), out.shape(), x.device()).fill(Double.NEGATIVE_INFINITY);
        NDArray argmax = tapIndices(w, s[2], s[3], oh, ow, -1, -1).to(x.device());
        for (int a = 0; a < w.kernelH(); a++) {
            for (int b = 0; b < w.kernelW(); b++) {
                NDArray candidate = tap(padded, w, a, b, oh, ow);
                // PyTorch's rule: strictly larger, or NaN, replaces the current maximum
                NDArray wins = candidate.gt(best).add(candidate.ne(candidate));
                best = NDArray.where(wins, candidate, best);
                argmax = NDArray.where(wins, tapIndices(w, s[2], s[3], oh, ow, a, b).to(x.device()), argmax);
            }
        }
        out.copyFrom(best);
        indices.copyFrom(argmax);
    }

    /**
     * The gradient of {@link #maxPool2d}: {@code gradInput} [N, C, H, W] is zero except that each
     * {@code grad[n, c, i, j]} is added at the position {@code indices[n, c, i, j]} of its plane.
     */
    default void maxPool2dBackward(NDArray grad, NDArray indices, NDArray gradInput) {
        int[] s = gradInput.shape();
        int planeOut = grad.shape(2) * grad.shape(3);
        gradInput.fill(0);
        gradInput.reshape(s[0], s[1], s[2] * s[3]).scatterAddi(2, indices.reshape(s[0], s[1], planeOut),
                grad.reshape(s[0], s[1], planeOut));
    }

    /**
     * Average pooling (dilation 1): {@code out[n, c, i, j]} = the sum of the window's input
     * elements divided by {@link #divisor}.
     */
    default void avgPool2d(NDArray x, Window w, boolean countIncludePad, NDArray out) {
        int oh = out.shape(2);
        int ow = out.shape(3);
        NDArray padded = padded(x, w, oh, ow, 0);
        NDArray sum = null;
        for (int a = 0; a < w.kernelH(); a++) {
            for (int b = 0; b < w.kernelW(); b++) {
                NDArray candidate = tap(padded, w, a, b, oh, ow);
                sum = sum == null ? candidate.copy() : sum.addi(candidate);
            }
        }
        out.copyFrom(sum.div(divisors(w, x.shape(2), x.shape(3), oh, ow, countIncludePad, x.dtype()).to(x.device())));
    }

    /** The gradient of {@link #avgPool2d}: each {@code grad[n, c, i, j] / divisor} added over its window. */
    default void avgPool2dBackward(NDArray grad, Window w, boolean countIncludePad, NDArray gradInput) {
        int[] s = gradInput.shape();
        int oh = grad.shape(2);
        int ow = grad.shape(3);
        NDArray scaled = grad.div(divisors(w, s[2], s[3], oh, ow, countIncludePad, grad.dtype()).to(grad.device()));
        NDArray padded = padded(gradInput.zerosLike(), w, oh, ow, 0);
        for (int a = 0; a < w.kernelH(); a++) {
            for (int b = 0; b < w.kernelW(); b++) {
                tap(padded, w, a, b, oh, ow).addi(scaled);
            }
        }
        gradInput.copyFrom(padded.narrow(2, w.padH(), s[2]).narrow(3, w.padW(), s[3]));
    }

    /**
     * Adaptive average pooling to the size of {@code out} [N, C, oH, oW]: output row i averages
     * input rows {@code floor(i H / oH)} to {@code ceil((i + 1) H / oH)} (exclusive), columns
     * likewise, so windows may overlap and differ in size. The average over a rectangle is an
     * average over rows then columns, so this default is two products with averaging matrices.
     */
    default void adaptiveAvgPool2d(NDArray x, NDArray out) {
        NDArray rows = averagingMatrix(out.shape(2), x.shape(2), x.dtype()).to(x.device());
        NDArray columns = averagingMatrix(out.shape(3), x.shape(3), x.dtype()).to(x.device());
        out.copyFrom(rows.matmul(x).matmul(columns.t()));
    }

    /** The gradient of {@link #adaptiveAvgPool2d}: the averaging matrices' transposes applied to {@code grad}. */
    default void adaptiveAvgPool2dBackward(NDArray grad, NDArray gradInput) {
        NDArray rows = averagingMatrix(grad.shape(2), gradInput.shape(2), grad.dtype()).to(grad.device());
        NDArray columns = averagingMatrix(grad.shape(3), gradInput.shape(3), grad.dtype()).to(grad.device());
        gradInput.copyFrom(rows.t().matmul(grad).matmul(columns));
    }

    // ---------------------------------------------------------------- geometry shared by every backend

    /**
     * The number an average-pooling window's sum is divided by, as PyTorch defines it: with
     * {@code countIncludePad}, the window's positions inside the padded input (the bottom and right
     * padding end the window, ceil mode's overhang does not count); else the input elements it
     * covers.
     */
    static int divisor(Window w, int height, int width, int i, int j, boolean countIncludePad) {
        int h0 = w.rowStart(i);
        int w0 = w.columnStart(j);
        int h1 = Math.min(h0 + w.kernelH(), height + w.padH());
        int w1 = Math.min(w0 + w.kernelW(), width + w.padW());
        if (countIncludePad) {
            return (h1 - h0) * (w1 - w0);
        }
        return (Math.min(h1, height) - Math.max(h0, 0)) * (Math.min(w1, width) - Math.max(w0, 0));
    }

    /** Start (inclusive) of adaptive window {@code i} of {@code outSize} over {@code inSize}: floor(i inSize / outSize). */
    static int adaptiveStart(int i, int inSize, int outSize) {
        return (int) ((long) i * inSize / outSize);
    }

    /** End (exclusive) of adaptive window {@code i}: ceil((i + 1) inSize / outSize). */
    static int adaptiveEnd(int i, int inSize, int outSize) {
        return (int) (((long) (i + 1) * inSize + outSize - 1) / outSize);
    }

    // ---------------------------------------------------------------- helpers of the composed defaults

    /** x copied into a new array filled with {@code value}, large enough for every window of an oh x ow output. */
    private static NDArray padded(NDArray x, Window w, int oh, int ow, double value) {
        int[] s = x.shape();
        int lastRow = w.rowStart(oh - 1) + w.dilationH() * (w.kernelH() - 1);
        int lastColumn = w.columnStart(ow - 1) + w.dilationW() * (w.kernelW() - 1);
        int height = w.padH() + Math.max(s[2], lastRow + 1);
        int width = w.padW() + Math.max(s[3], lastColumn + 1);
        NDArray padded = NDArray.empty(x.dtype(), new int[] {s[0], s[1], height, width}, x.device()).fill(value);
        padded.narrow(2, w.padH(), s[2]).narrow(3, w.padW(), s[3]).copyFrom(x);
        return padded;
    }

    /** The view of {@code padded} holding tap (a, b) of every window: [N, C, oh, ow]. */
    private static NDArray tap(NDArray padded, Window w, int a, int b, int oh, int ow) {
        int row = a * w.dilationH();
        int column = b * w.dilationW();
        return padded.slice(2, row, row + (oh - 1) * w.strideH() + 1, w.strideH())
                .slice(3, column, column + (ow - 1) * w.strideW() + 1, w.strideW());
    }

    /**
     * INT32 [oh, ow]: the plane position {@code h W + w} of tap (a, b) of every window, or with
     * a = b = -1 of the window's first position inside the input (PyTorch's argmax when nothing wins).
     */
    private static NDArray tapIndices(Window w, int height, int width, int oh, int ow, int a, int b) {
        int[] index = new int[oh * ow];
        for (int i = 0; i < oh; i++) {
            int h = w.rowStart(i);
            if (a >= 0) {
                h += a * w.dilationH();
            } else {
                while (h < 0) {
                    h += w.dilationH();
                }
            }
            for (int j = 0; j < ow; j++) {
                int c = w.columnStart(j);
                if (b >= 0) {
                    c += b * w.dilationW();
                } else {
                    while (c < 0) {
                        c += w.dilationW();
                    }
                }
                index[i * ow + j] = h * width + c;
            }
        }
        return NDArray.of(index, oh, ow);
    }

    private static NDArray divisors(Window w, int height, int width, int oh, int ow, boolean countIncludePad, DType dtype) {
        double[] d = new double[oh * ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                d[i * ow + j] = Math.max(1, divisor(w, height, width, i, j, countIncludePad));
            }
        }
        return NDArray.of(d, oh, ow).astype(dtype);
    }

    /** [outSize, inSize]: row i is 1 / (end - start) on adaptive window i and 0 elsewhere. */
    private static NDArray averagingMatrix(int outSize, int inSize, DType dtype) {
        double[] m = new double[outSize * inSize];
        for (int i = 0; i < outSize; i++) {
            int start = adaptiveStart(i, inSize, outSize);
            int end = adaptiveEnd(i, inSize, outSize);
            for (int k = start; k < end; k++) {
                m[i * inSize + k] = 1.0 / (end - start);
            }
        }
        return NDArray.of(m, outSize, inSize).astype(dtype);
    }
}
