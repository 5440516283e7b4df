package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.PoolingKernels.Window;

/**
 * 2-D average pooling of [N, C, H, W] inputs, as PyTorch's {@code nn.AvgPool2d}:
 * <pre>
 *   y[n, c, i, j] = &Sigma;_{a &lt; kH, b &lt; kW} x[n, c, i sH - pH + a, j sW - pW + b] / divisor(i, j)
 * </pre>
 * with the padding read as 0. The divisor is kH kW for a window inside the input; for a window
 * cut by the padding it is, with {@code countIncludePad} (the default), the window's positions
 * inside the padded input (ceil mode's overhang past the padding not counted), else the input
 * elements it covers. Output size as {@link MaxPool2d} with dilation 1. Defaults: stride = kernel
 * size, padding 0, floor mode, countIncludePad; padding may be at most half the kernel.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new Generator(0), 8, 16, 28, 28);
 * Tensor y = new AvgPool2d(2).forward(x);                              // [8, 16, 14, 14]
 * Tensor z = new AvgPool2d(3, 2, 1, true, false).forward(x);           // [8, 16, 15, 15], padding not averaged
 * }</pre>
 */
public final class AvgPool2d extends Module {
    private final Window window;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** A square kernel with stride = kernel size, no padding. */
    public AvgPool2d(int kernelSize) {
        this(kernelSize, kernelSize);
    }

    public AvgPool2d(int kernelSize, int stride) {
        this(kernelSize, stride, 0);
    }

    public AvgPool2d(int kernelSize, int stride, int padding) {
        this(kernelSize, stride, padding, false, true);
    }

    public AvgPool2d(int kernelSize, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, ceilMode, countIncludePad);
    }

    /**
     * Each size is one value for both dimensions or an (H, W) pair; a null {@code stride} is the
     * kernel size.
     */
    public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        int[] kernel = PoolWindow.pair("AvgPool2d", "kernel size", kernelSize, 1);
        this.window = PoolWindow.window("AvgPool2d", kernel, stride == null ? kernel : PoolWindow.pair("AvgPool2d", "stride", stride, 1),
                PoolWindow.pair("AvgPool2d", "padding", padding, 0), new int[] {1, 1});
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    /** The kernel, stride and padding (dilation 1). */
    public Window window() {
        return window;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] outShape = PoolWindow.outputShape("AvgPool2d", input.shape(), window, ceilMode);
        return new PoolingFunctions.AveragePool(window, countIncludePad, input.shape(), outShape, false).apply(input);
    }

    @Override
    protected String describe() {
        return PoolWindow.describe(window) + ", ceil_mode=" + ceilMode + ", count_include_pad=" + countIncludePad;
    }
}
