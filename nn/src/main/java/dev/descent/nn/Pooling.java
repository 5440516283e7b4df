package dev.descent.nn;

import dev.descent.autograd.Tensor;

/**
 * Pooling as functions, as {@code torch.nn.functional.max_pool2d}, {@code avg_pool2d} and
 * {@code adaptive_avg_pool2d}: the same ops, checks and defaults as the layers {@link MaxPool2d},
 * {@link AvgPool2d} and {@link AdaptiveAvgPool2d}, which hold no state, for code that composes
 * functions (a custom {@link Module#forward}). Sizes are one value for both dimensions or an
 * (H, W) pair; a null stride is the kernel size.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(new Generator(0), 8, 16, 28, 28);
 * Tensor a = Pooling.maxPool2d(x, 2);                                                          // [8, 16, 14, 14]
 * Tensor b = Pooling.avgPool2d(x, new int[] {3}, new int[] {2}, new int[] {1}, false, true);  // [8, 16, 14, 14]
 * Tensor c = Pooling.adaptiveAvgPool2d(x, 1, 1);                                               // [8, 16, 1, 1]
 * }</pre>
 */
public final class Pooling {
    private Pooling() {
    }

    /** Max pooling with a square kernel, stride = kernel size, no padding. */
    public static Tensor maxPool2d(Tensor input, int kernelSize) {
        return new MaxPool2d(kernelSize).forward(input);
    }

    /** Max pooling (see {@link MaxPool2d}); {@code stride} null is the kernel size. */
    public static Tensor maxPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return new MaxPool2d(kernelSize, stride, padding, dilation, ceilMode).forward(input);
    }

    /** Average pooling with a square kernel, stride = kernel size, no padding. */
    public static Tensor avgPool2d(Tensor input, int kernelSize) {
        return new AvgPool2d(kernelSize).forward(input);
    }

    /** Average pooling (see {@link AvgPool2d}); {@code stride} null is the kernel size. */
    public static Tensor avgPool2d(Tensor input, int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return new AvgPool2d(kernelSize, stride, padding, ceilMode, countIncludePad).forward(input);
    }

    /** Adaptive average pooling to [outputHeight, outputWidth] (see {@link AdaptiveAvgPool2d}). */
    public static Tensor adaptiveAvgPool2d(Tensor input, int outputHeight, int outputWidth) {
        return new AdaptiveAvgPool2d(outputHeight, outputWidth).forward(input);
    }
}
