package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import java.util.Arrays;

/**
 * A 2-D convolution layer, as {@code torch.nn.Conv2d}: input [N, C_in, H, W], output
 * [N, C_out, oH, oW] with
 * <pre>
 *   y[n, o] = bias[o] + &Sigma;_{c &lt; C_in / groups} weight[o, c] &#x22C6; x[n, (o / (C_out / groups)) C_in / groups + c]
 *   oH = (H + padTop + padBottom - dilation[0] (kH - 1) - 1) / stride[0] + 1      (likewise oW)
 * </pre>
 * where &#x22C6; is cross-correlation with the stride and dilation. Parameters {@code weight}
 * [C_out, C_in / groups, kH, kW] and {@code bias} [C_out], initialized as PyTorch: weight Kaiming
 * uniform with a = sqrt 5 (uniform on &plusmn;1/sqrt(fan_in)), bias uniform on &plusmn;1/sqrt(fan_in),
 * fan_in = C_in / groups &middot; kH &middot; kW. Padding is symmetric ints, or "valid" or "same"
 * (see {@link Convolutions}). The CPU runs it as cache-sized im2col blocks and the GEMM.
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(1, 32, 3);                              // as nn.Conv2d(1, 32, 3)
 * Tensor y = conv.forward(Tensor.zeros(DType.FLOAT32, 128, 1, 28, 28));   // [128, 32, 26, 26]
 * Conv2d same = new Conv2d(32, 64, new int[] {3, 3}, new int[] {1, 1}, "same", new int[] {1, 1}, 1, true, new Generator(0));
 * }</pre>
 */
public final class Conv2d extends ConvolutionBase {
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final String paddingMode;
    private final int[] dilation;

    /** Square kernel, stride 1, no padding, with a bias, initialized from {@link Init#defaultGenerator()}. */
    public Conv2d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0);
    }

    /** Square kernel with the same stride and padding in both dimensions, with a bias. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
        this(inChannels, outChannels, new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {1, 1}, 1, true, Init.defaultGenerator());
    }

    /** Every argument, padding as (height, width) ints; float32. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, Generator generator) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, DType.FLOAT32, generator);
    }

    /** Every argument, padding "same" or "valid"; float32. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding, int[] dilation, int groups,
                  boolean bias, Generator generator) {
        this(inChannels, outChannels, kernelSize, stride, null, padding, dilation, groups, bias, DType.FLOAT32, generator);
    }

    /** Every argument and the parameters' dtype; exactly one of {@code padding} and {@code paddingMode} is null. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingMode, int[] dilation,
                  int groups, boolean bias, DType dtype, Generator generator) {
        super("Conv2d", inChannels, outChannels, kernelSize, groups, bias, dtype, generator);
        String op = "Conv2d";
        Convolutions.checkPair(op, "kernelSize", kernelSize, 1);
        Convolutions.checkPair(op, "stride", stride, 1);
        Convolutions.checkPair(op, "dilation", dilation, 1);
        if ((padding == null) == (paddingMode == null)) {
            throw new IllegalArgumentException(op + ": give padding either as ints or as \"same\"/\"valid\", not both or neither");
        }
        if (padding != null) {
            Convolutions.checkPair(op, "padding", padding, 0);
        } else {
            Convolutions.geometry(op, stride, null, paddingMode, dilation, 1, new int[] {1, 1, kernelSize[0], kernelSize[1]});
        }
        this.kernelSize = kernelSize.clone();
        this.stride = stride.clone();
        this.padding = padding == null ? null : padding.clone();
        this.paddingMode = paddingMode;
        this.dilation = dilation.clone();
    }

    /** The kernel's (height, width). */
    public int[] kernelSize() {
        return kernelSize.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        return Convolutions.convolve("Conv2d", input, weight(), bias(), stride, padding, paddingMode, dilation, groups());
    }

    @Override
    protected String describe() {
        return describe("kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride)
                + ", padding=" + (padding == null ? paddingMode : Arrays.toString(padding))
                + (dilation[0] != 1 || dilation[1] != 1 ? ", dilation=" + Arrays.toString(dilation) : ""));
    }
}
