package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.ConvolutionKernels.Geometry;
import java.util.Arrays;

/**
 * Convolutions as functions, as {@code torch.nn.functional.conv2d} and {@code conv1d}: the weight
 * and bias are passed in rather than owned by a layer ({@link Conv2d} and {@link Conv1d} call
 * these). Cross-correlation in NCHW (NCL) layout with PyTorch's arguments and defaults: stride 1,
 * padding 0, dilation 1, groups 1; padding may be given per side as ints, or as "valid" (none) or
 * "same" (the output as large as the input; stride 1 only; when the total padding
 * {@code dilation (k - 1)} is odd, the extra row or column goes at the bottom or right).
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(DType.FLOAT32, new Generator(0), 8, 1, 28, 28);
 * Tensor w = Tensor.randn(DType.FLOAT32, new Generator(1), 32, 1, 3, 3).requiresGrad(true);
 * Tensor y = Convolutions.conv2d(x, w, null, new int[] {1, 1}, "same", new int[] {1, 1}, 1);   // [8, 32, 28, 28]
 * y.sum().backward();                                                                          // w.grad(): [32, 1, 3, 3]
 * }</pre>
 */
public final class Convolutions {
    private Convolutions() {
    }

    /** conv2d with stride 1, no padding, dilation 1 and one group; {@code bias} may be null. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
        return conv2d(input, weight, bias, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
    }

    /**
     * The 2-D convolution of input [N, C, H, W] with weight [O, C / groups, kH, kW], plus bias [O]
     * when not null: output [N, O, oH, oW], {@code oH = (H + 2 padding[0] - dilation[0] (kH - 1) - 1)
     * / stride[0] + 1}, likewise oW.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        checkPair("conv2d", "padding", padding, 0);
        return convolve("conv2d", input, weight, bias, stride, padding, null, dilation, groups);
    }

    /** conv2d with padding "same" or "valid". */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, String padding, int[] dilation, int groups) {
        return convolve("conv2d", input, weight, bias, stride, null, padding, dilation, groups);
    }

    /** conv1d with stride 1, no padding, dilation 1 and one group; {@code bias} may be null. */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias) {
        return conv1d(input, weight, bias, 1, 0, 1, 1);
    }

    /**
     * The 1-D convolution of input [N, C, L] with weight [O, C / groups, k], plus bias [O] when not
     * null: output [N, O, oL], {@code oL = (L + 2 padding - dilation (k - 1) - 1) / stride + 1}.
     */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return convolve1d("conv1d", input, weight, bias, stride, padding, null, dilation, groups);
    }

    /** conv1d with padding "same" or "valid". */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, String padding, int dilation, int groups) {
        return convolve1d("conv1d", input, weight, bias, stride, 0, padding, dilation, groups);
    }

    /**
     * A 1-d convolution as a 2-d one of height 1: [N, C, L] is viewed as [N, C, 1, L] and the
     * weight as [O, C / groups, 1, k], so it runs the same kernels; the views cost nothing.
     */
    static Tensor convolve1d(String op, Tensor input, Tensor weight, Tensor bias, int stride, int padding, String mode, int dilation,
                             int groups) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException(op + ": expected a 3-d input [N, C, L], got shape " + Arrays.toString(input.shape()));
        }
        if (weight.rank() != 3) {
            throw new IllegalArgumentException(op + ": expected a 3-d weight [out, in / groups, k], got shape "
                    + Arrays.toString(weight.shape()));
        }
        if ("same".equals(mode)) {
            checkSameStride(op, new int[] {stride});
        }
        Tensor out;
        try {
            out = convolve(op, input.unsqueeze(2), weight.unsqueeze(2), bias, new int[] {1, stride},
                    mode == null ? new int[] {0, padding} : null, mode, new int[] {1, dilation}, groups);
        } catch (IllegalArgumentException e) {
            // name the 1-d shapes the caller passed, not the 2-d views
            throw new IllegalArgumentException(e.getMessage().replace(Arrays.toString(input.unsqueeze(2).shape()),
                    Arrays.toString(input.shape())).replace(Arrays.toString(weight.unsqueeze(2).shape()),
                    Arrays.toString(weight.shape())), e);
        }
        return out.squeeze(2);
    }

    /** Checks every argument, naming {@code op}, and applies the convolution; exactly one of padding and mode is set. */
    static Tensor convolve(String op, Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, String mode,
                           int[] dilation, int groups) {
        checkPair(op, "stride", stride, 1);
        checkPair(op, "dilation", dilation, 1);
        if (groups < 1) {
            throw new IllegalArgumentException(op + ": groups must be >= 1, got " + groups);
        }
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected a 4-d input [N, C, H, W], got shape " + Arrays.toString(input.shape()));
        }
        if (weight.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected a 4-d weight [out, in / groups, kH, kW], got shape "
                    + Arrays.toString(weight.shape()));
        }
        int[] xs = input.shape();
        int[] ws = weight.shape();
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException(op + ": groups " + groups + " must divide the output channels, got weight shape "
                    + Arrays.toString(ws));
        }
        if (xs[1] != ws[1] * groups) {
            throw new IllegalArgumentException(op + ": input shape " + Arrays.toString(xs) + " has " + xs[1] + " channels, expected "
                    + ws[1] * groups + " (weight " + Arrays.toString(ws) + " with groups " + groups + ")");
        }
        if (bias != null && (bias.rank() != 1 || bias.shape(0) != ws[0])) {
            throw new IllegalArgumentException(op + ": expected a bias of shape [" + ws[0] + "], got " + Arrays.toString(bias.shape()));
        }
        if (!input.dtype().isFloatingPoint() || input.dtype() != weight.dtype() || (bias != null && bias.dtype() != weight.dtype())) {
            throw new IllegalArgumentException(op + ": input, weight and bias must share one floating-point dtype, got input "
                    + input.dtype() + ", weight " + weight.dtype() + (bias == null ? "" : ", bias " + bias.dtype()));
        }
        if (!input.device().equals(weight.device()) || (bias != null && !bias.device().equals(weight.device()))) {
            throw new IllegalArgumentException(op + ": input is on " + input.device() + " but weight is on " + weight.device()
                    + (bias == null ? "" : " and bias on " + bias.device()));
        }
        Geometry g = geometry(op, stride, padding, mode, dilation, groups, ws);
        int extentH = dilation[0] * (ws[2] - 1) + 1;
        int extentW = dilation[1] * (ws[3] - 1) + 1;
        int paddedH = xs[2] + g.padTop() + g.padBottom();
        int paddedW = xs[3] + g.padLeft() + g.padRight();
        if (paddedH < extentH || paddedW < extentW) {
            throw new IllegalArgumentException(op + ": input shape " + Arrays.toString(xs) + " padded to " + paddedH + "x" + paddedW
                    + " is smaller than the " + (extentH != ws[2] || extentW != ws[3] ? "dilated " : "") + "kernel " + extentH + "x"
                    + extentW + ", so the output size would be " + g.outputHeight(xs[2], ws[2]) + "x" + g.outputWidth(xs[3], ws[3])
                    + "; expected an input of at least the kernel's extent after padding");
        }
        return ConvolutionFunctions.conv2d(input, weight, bias, g);
    }

    /** The kernel geometry for explicit or named padding; "same" pads dilation (k - 1) in total, the odd one after. */
    static Geometry geometry(String op, int[] stride, int[] padding, String mode, int[] dilation, int groups, int[] weightShape) {
        if (mode == null) {
            return new Geometry(stride[0], stride[1], padding[0], padding[0], padding[1], padding[1], dilation[0], dilation[1], groups);
        }
        if (mode.equals("valid")) {
            return new Geometry(stride[0], stride[1], 0, 0, 0, 0, dilation[0], dilation[1], groups);
        }
        if (!mode.equals("same")) {
            throw new IllegalArgumentException(op + ": padding must be \"same\", \"valid\" or non-negative ints, got \"" + mode + "\"");
        }
        checkSameStride(op, stride);
        int totalH = dilation[0] * (weightShape[2] - 1);
        int totalW = dilation[1] * (weightShape[3] - 1);
        return new Geometry(1, 1, totalH / 2, totalH - totalH / 2, totalW / 2, totalW - totalW / 2, dilation[0], dilation[1], groups);
    }

    static void checkSameStride(String op, int[] stride) {
        for (int s : stride) {
            if (s != 1) {
                throw new IllegalArgumentException(op + ": padding \"same\" needs stride 1 (the output would not be the input's size),"
                        + " got stride " + (stride.length == 1 ? String.valueOf(s) : Arrays.toString(stride)));
            }
        }
    }

    static void checkPair(String op, String what, int[] values, int minimum) {
        if (values == null || values.length != 2) {
            throw new IllegalArgumentException(op + ": " + what + " must be 2 ints (height, width), got "
                    + (values == null ? "null" : Arrays.toString(values)));
        }
        for (int v : values) {
            if (v < minimum) {
                throw new IllegalArgumentException(op + ": " + what + " must be >= " + minimum + ", got " + Arrays.toString(values));
            }
        }
    }
}
