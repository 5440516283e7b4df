package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.PoolingKernels.Window;

/**
 * 2-D max pooling of [N, C, H, W] inputs, as PyTorch's {@code nn.MaxPool2d}: each output is the
 * largest input in its window
 * <pre>
 *   y[n, c, i, j] = max_{a &lt; kH, b &lt; kW} x[n, c, i sH - pH + a dH, j sW - pW + b dW]
 * </pre>
 * with the padding read as -infinity, and
 * {@code oH = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1} (ceiling with {@code ceilMode}, the
 * last window then starting inside the input or its left padding); likewise oW. The argmax of each
 * window is kept, so backward sends each gradient to the one input that won (the first of equal
 * maxima). Defaults: stride = kernel size, padding 0, dilation 1, floor mode; padding may be at
 * most half the kernel.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new Generator(0), 8, 16, 28, 28);
 * Tensor y = new MaxPool2d(2).forward(x);               // [8, 16, 14, 14]
 * Tensor z = new MaxPool2d(3, 2, 1).forward(x);         // [8, 16, 14, 14], overlapping windows
 * }</pre>
 */
public final class MaxPool2d extends Module {
    private final Window window;
    private final boolean ceilMode;

    /** A square kernel with stride = kernel size, no padding. */
    public MaxPool2d(int kernelSize) {
        this(kernelSize, kernelSize);
    }

    public MaxPool2d(int kernelSize, int stride) {
        this(kernelSize, stride, 0);
    }

    public MaxPool2d(int kernelSize, int stride, int padding) {
        this(kernelSize, stride, padding, 1, false);
    }

    public MaxPool2d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, new int[] {dilation}, ceilMode);
    }

    /**
     * Each size is one value for both dimensions or an (H, W) pair; a null {@code stride} is the
     * kernel size.
     */
    public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        int[] kernel = PoolWindow.pair("MaxPool2d", "kernel size", kernelSize, 1);
        this.window = PoolWindow.window("MaxPool2d", kernel, stride == null ? kernel : PoolWindow.pair("MaxPool2d", "stride", stride, 1),
                PoolWindow.pair("MaxPool2d", "padding", padding, 0), PoolWindow.pair("MaxPool2d", "dilation", dilation, 1));
        this.ceilMode = ceilMode;
    }

    /** The kernel, stride, padding and dilation. */
    public Window window() {
        return window;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] outShape = PoolWindow.outputShape("MaxPool2d", input.shape(), window, ceilMode);
        return new PoolingFunctions.MaxPool(window, outShape).apply(input);
    }

    @Override
    protected String describe() {
        return PoolWindow.describe(window) + ", dilation=" + window.dilationH() + "x" + window.dilationW() + ", ceil_mode=" + ceilMode;
    }
}
