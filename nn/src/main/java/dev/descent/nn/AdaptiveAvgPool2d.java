package dev.descent.nn;

import dev.descent.autograd.Tensor;
import java.util.Arrays;

/**
 * Adaptive 2-D average pooling of [N, C, H, W] inputs to a fixed [oH, oW], as PyTorch's
 * {@code nn.AdaptiveAvgPool2d}: output row i averages input rows
 * {@code floor(i H / oH)} to {@code ceil((i + 1) H / oH)} (exclusive), columns likewise, so any
 * input size gives the same output size (windows may overlap and differ by one in size).
 * {@code new AdaptiveAvgPool2d(1)} is global average pooling.
 *
 * <pre>{@code
 * Tensor features = Tensor.randn(new Generator(0), 8, 64, 7, 7);
 * Tensor pooled = new AdaptiveAvgPool2d(1).forward(features);     // [8, 64, 1, 1]
 * Tensor grid = new AdaptiveAvgPool2d(3, 2).forward(features);    // [8, 64, 3, 2]
 * }</pre>
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int[] outputSize;

    /** A square output of {@code outputSize} x {@code outputSize}. */
    public AdaptiveAvgPool2d(int outputSize) {
        this(new int[] {outputSize});
    }

    public AdaptiveAvgPool2d(int outputHeight, int outputWidth) {
        this(new int[] {outputHeight, outputWidth});
    }

    /** One size for both dimensions or an (H, W) pair, each positive. */
    public AdaptiveAvgPool2d(int[] outputSize) {
        if (outputSize != null && outputSize.length >= 1 && outputSize.length <= 2 && Arrays.stream(outputSize).anyMatch(s -> s <= 0)) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got " + Arrays.toString(outputSize));
        }
        this.outputSize = PoolWindow.pair("AdaptiveAvgPool2d", "output size", outputSize, 1);
    }

    /** The output's [oH, oW]. */
    public int[] outputSize() {
        return outputSize.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        PoolWindow.checkInput("AdaptiveAvgPool2d", shape);
        if (shape[2] == 0 || shape[3] == 0) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: expected an input with H, W >= 1, got shape " + Arrays.toString(shape));
        }
        int[] outShape = {shape[0], shape[1], outputSize[0], outputSize[1]};
        return new PoolingFunctions.AveragePool(null, false, shape, outShape, false).apply(input);
    }

    @Override
    protected String describe() {
        return "output_size=" + outputSize[0] + "x" + outputSize[1];
    }
}
