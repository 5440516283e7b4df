package dev.descent.core;

/**
 * Two-dimensional convolution (cross-correlation, as in PyTorch) of NCHW arrays, the kernel family
 * a backend provides through {@link Backend#convolution()}. Each default here composes {@link
 * NDArray} operations (a padded copy, a strided im2col view copied once, a batched matmul), so every
 * device computes the right result before it has kernels of its own; a backend overrides what it
 * does faster and calls {@code ConvolutionKernels.super} for layouts it does not handle.
 *
 * <p>With input x [N, C, H, W], weight w [O, C / groups, kH, kW] and {@link Geometry} g, output
 * y [N, O, oH, oW] where {@code oH = (H + padTop + padBottom - dilationH (kH - 1) - 1) / strideH + 1}
 * (likewise oW), and for output channel o in group q = o / (O / groups):
 * <pre>
 *   y[n, o, i, j] = bias[o] + &Sigma;_{c, a, b} w[o, c, a, b] x[n, q C/groups + c, i strideH - padTop + a dilationH, j strideW - padLeft + b dilationW]
 * </pre>
 * with x read as 0 outside its bounds. The caller checks the arguments: one device, one
 * floating-point dtype, consistent shapes, {@code oH, oW >= 1}, and outputs that are new
 * contiguous arrays not overlapping the inputs; inputs may be any strided views.
 *
 * <pre>{@code
 * NDArray x = NDArray.randn(new Generator(0), 2, 3, 8, 8);
 * NDArray w = NDArray.randn(new Generator(1), 4, 3, 3, 3);
 * NDArray y = NDArray.zeros(2, 4, 8, 8);
 * x.backend().convolution().forward(x, w, null, ConvolutionKernels.Geometry.of(1, 1, 1, 1), y);  // 'same' padding
 * }</pre>
 */
public interface ConvolutionKernels {

    /** The composed kernels, for a backend that has none of its own. */
    ConvolutionKernels COMPOSED = new ConvolutionKernels() {
    };

    /**
     * Strides, zero padding on each side (top and bottom may differ, as for PyTorch's 'same' with
     * an even kernel), dilations and groups of a 2-D convolution; all strides and dilations &gt;= 1,
     * paddings &gt;= 0, groups &gt;= 1.
     */
    record Geometry(int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight, int dilationH,
                    int dilationW, int groups) {

        /** Stride and symmetric padding for both dimensions, dilation 1, one group. */
        public static Geometry of(int strideH, int strideW, int padH, int padW) {
            return new Geometry(strideH, strideW, padH, padH, padW, padW, 1, 1, 1);
        }

        /** Output rows for {@code height} input rows and a kernel of {@code kernelH} rows (may be &lt;= 0: the caller checks). */
        public int outputHeight(int height, int kernelH) {
            return Math.floorDiv(height + padTop + padBottom - dilationH * (kernelH - 1) - 1, strideH) + 1;
        }

        /** Output columns for {@code width} input columns and a kernel of {@code kernelW} columns. */
        public int outputWidth(int width, int kernelW) {
            return Math.floorDiv(width + padLeft + padRight - dilationW * (kernelW - 1) - 1, strideW) + 1;
        }
    }

    /** {@code out} [N, O, oH, oW] = the convolution of x with w, plus {@code bias} [O] when not null. */
    default void forward(NDArray x, NDArray w, NDArray bias, Geometry g, NDArray out) {
        int[] ws = w.shape();
        int groups = g.groups();
        int n = x.shape(0);
        int outChannels = ws[0];
        int oh = out.shape(2);
        int ow = out.shape(3);
        NDArray columns = columns(x, ws[2], ws[3], g, oh, ow);
        NDArray kernels = w.reshape(groups, outChannels / groups, -1);
        NDArray y = kernels.matmul(columns);
        if (bias != null) {
            y = y.add(bias.reshape(1, groups, outChannels / groups, 1));
        }
        out.copyFrom(y.reshape(n, outChannels, oh, ow));
    }

    /** {@code gradInput} [N, C, H, W] = the gradient of &Sigma; y &middot; gradOutput with respect to x. */
    default void backwardInput(NDArray gradOutput, NDArray w, Geometry g, NDArray gradInput) {
        int[] ws = w.shape();
        int[] xs = gradInput.shape();
        int groups = g.groups();
        int n = xs[0];
        int oh = gradOutput.shape(2);
        int ow = gradOutput.shape(3);
        NDArray kernels = w.reshape(groups, ws[0] / groups, -1);
        NDArray gy = gradOutput.reshape(n, groups, ws[0] / groups, oh * ow);
        NDArray gradColumns = kernels.transpose(1, 2).matmul(gy).reshape(n, xs[1], ws[2], ws[3], oh, ow);
        NDArray padded = NDArray.empty(gradInput.dtype(), new int[] {n, xs[1], xs[2] + g.padTop() + g.padBottom(),
                xs[3] + g.padLeft() + g.padRight()}, gradInput.device());
        int[] ps = padded.strides();
        int[] tapStrides = {ps[0], ps[1], g.strideH() * ps[2], g.strideW() * ps[3]};
        for (int a = 0; a < ws[2]; a++) {
            for (int b = 0; b < ws[3]; b++) {
                // the input positions kernel tap (a, b) touched, one per output position: no two coincide
                int origin = padded.offset() + a * g.dilationH() * ps[2] + b * g.dilationW() * ps[3];
                NDArray tap = NDArray.wrap(padded.storage(), new int[] {n, xs[1], oh, ow}, tapStrides, origin);
                tap.addi(gradColumns.select(2, a).select(2, b));
            }
        }
        gradInput.copyFrom(padded.narrow(2, g.padTop(), xs[2]).narrow(3, g.padLeft(), xs[3]));
    }

    /** {@code gradWeight} [O, C / groups, kH, kW] = the gradient of &Sigma; y &middot; gradOutput with respect to w. */
    default void backwardWeight(NDArray gradOutput, NDArray x, Geometry g, NDArray gradWeight) {
        int[] ws = gradWeight.shape();
        int groups = g.groups();
        int n = x.shape(0);
        int oh = gradOutput.shape(2);
        int ow = gradOutput.shape(3);
        NDArray columns = columns(x, ws[2], ws[3], g, oh, ow);
        NDArray gy = gradOutput.reshape(n, groups, ws[0] / groups, oh * ow);
        NDArray perImage = gy.matmul(columns.transpose(2, 3));
        gradWeight.copyFrom(perImage.sum(0).reshape(ws));
    }

    /**
     * The im2col matrix of x, [N, groups, C / groups &middot; kH &middot; kW, oH &middot; oW]: row
     * (c, a, b) holds x at tap (a, b) of channel c for every output position, read from a zero-padded
     * copy through one strided view.
     */
    private static NDArray columns(NDArray x, int kh, int kw, Geometry g, int oh, int ow) {
        int[] xs = x.shape();
        NDArray padded = NDArray.empty(x.dtype(), new int[] {xs[0], xs[1], xs[2] + g.padTop() + g.padBottom(),
                xs[3] + g.padLeft() + g.padRight()}, x.device());
        padded.narrow(2, g.padTop(), xs[2]).narrow(3, g.padLeft(), xs[3]).copyFrom(x);
        int[] ps = padded.strides();
        NDArray taps = NDArray.wrap(padded.storage(), new int[] {xs[0], xs[1], kh, kw, oh, ow},
                new int[] {ps[0], ps[1], g.dilationH() * ps[2], g.dilationW() * ps[3], g.strideH() * ps[2], g.strideW() * ps[3]},
                padded.offset());
        return taps.reshape(xs[0], g.groups(), -1, oh * ow);
    }
}
