package dev.descent.nn;

import dev.descent.core.PoolingKernels.Window;
import java.util.Arrays;

/**
 * The argument checks and output size of the 2-D pooling layers, in PyTorch's terms: sizes given
 * as one value or an (H, W) pair; kernel, stride and dilation positive; padding at most half the
 * kernel (so that no window lies in the padding alone); an output of at least one row and column,
 * with ceil mode's last window starting inside the input or its left padding.
 */
final class PoolWindow {
    private PoolWindow() {
    }

    /** {@code values} as an (H, W) pair: one value for both, or two; each at least {@code min}. */
    static int[] pair(String layer, String what, int[] values, int min) {
        if (values == null || values.length < 1 || values.length > 2) {
            throw new IllegalArgumentException(layer + ": " + what + " must be one value or an (H, W) pair, got "
                    + Arrays.toString(values));
        }
        int[] pair = values.length == 1 ? new int[] {values[0], values[0]} : values.clone();
        if (pair[0] < min || pair[1] < min) {
            throw new IllegalArgumentException(layer + ": " + what + " must be at least " + min + ", got " + Arrays.toString(values));
        }
        return pair;
    }

    /** The checked window: padding at most half the kernel in each dimension, as PyTorch requires. */
    static Window window(String layer, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
            throw new IllegalArgumentException(layer + ": padding " + padding[0] + "x" + padding[1] + " is more than half the kernel "
                    + kernel[0] + "x" + kernel[1] + "; expected padding <= kernel / 2 in each dimension");
        }
        return new Window(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1]);
    }

    /** Checks that {@code shape} is [N, C, H, W]. */
    static void checkInput(String layer, int[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException(layer + ": expected a 4-d input [N, C, H, W], got shape " + Arrays.toString(shape));
        }
    }

    /** Output size of one dimension, PyTorch's formula (may be &lt;= 0: {@link #outputShape} checks). */
    static int outputSize(int in, int kernel, int pad, int stride, int dilation, boolean ceilMode) {
        long span = in + 2L * pad - (long) dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        int out = (int) (Math.floorDiv(span, stride) + 1);
        // ceil mode: the last window must start inside the input or its left padding
        if (ceilMode && out > 0 && (long) (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /** [N, C, oH, oW] for a 4-d input {@code shape}, refused when a dimension would be empty. */
    static int[] outputShape(String layer, int[] shape, Window w, boolean ceilMode) {
        checkInput(layer, shape);
        int oh = outputSize(shape[2], w.kernelH(), w.padH(), w.strideH(), w.dilationH(), ceilMode);
        int ow = outputSize(shape[3], w.kernelW(), w.padW(), w.strideW(), w.dilationW(), ceilMode);
        if (oh < 1 || ow < 1) {
            int spanH = w.dilationH() * (w.kernelH() - 1) + 1;
            int spanW = w.dilationW() * (w.kernelW() - 1) + 1;
            throw new IllegalArgumentException(layer + ": input of shape " + Arrays.toString(shape) + " padded to "
                    + (shape[2] + 2 * w.padH()) + "x" + (shape[3] + 2 * w.padW()) + " is smaller than the kernel's span " + spanH
                    + "x" + spanW + " (kernel " + w.kernelH() + "x" + w.kernelW() + ", dilation " + w.dilationH() + "x"
                    + w.dilationW() + "), so the output would be " + oh + "x" + ow + "; expected H + 2 padding >= dilation"
                    + " (kernel - 1) + 1 in each dimension");
        }
        int emptyRow = emptyWindow(shape[2], oh, w.strideH(), w.padH(), w.kernelH(), w.dilationH());
        int emptyColumn = emptyWindow(shape[3], ow, w.strideW(), w.padW(), w.kernelW(), w.dilationW());
        if (emptyRow >= 0 || emptyColumn >= 0) {
            // PyTorch returns -inf there and its backward writes outside the plane; refusing is the safe reading
            throw new IllegalArgumentException(layer + ": with input of shape " + Arrays.toString(shape) + ", kernel " + w.kernelH()
                    + "x" + w.kernelW() + ", stride " + w.strideH() + "x" + w.strideW() + ", padding " + w.padH() + "x" + w.padW()
                    + " and dilation " + w.dilationH() + "x" + w.dilationW() + ", output " + (emptyRow >= 0 ? "row " + emptyRow
                    : "column " + emptyColumn) + " would pool padding only; expected every window to cover an input element"
                    + " (use less padding or dilation)");
        }
        return new int[] {shape[0], shape[1], oh, ow};
    }

    /** The first output position (of {@code out}) whose dilated window misses [0, in), or -1. */
    private static int emptyWindow(int in, int out, int stride, int pad, int kernel, int dilation) {
        for (int i = 0; i < out; i++) {
            int start = i * stride - pad;
            boolean covers = false;
            for (int a = 0; a < kernel && !covers; a++) {
                int at = start + a * dilation;
                covers = at >= 0 && at < in;
            }
            if (!covers) {
                return i;
            }
        }
        return -1;
    }

    /** "3x3" or "3x3 stride 2x2 ..." for describe(). */
    static String describe(Window w) {
        return "kernel_size=" + w.kernelH() + "x" + w.kernelW() + ", stride=" + w.strideH() + "x" + w.strideW() + ", padding="
                + w.padH() + "x" + w.padW();
    }
}
