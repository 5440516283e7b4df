package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;

/**
 * A 1-D convolution layer, as {@code torch.nn.Conv1d}: input [N, C_in, L], output [N, C_out, oL]
 * with {@code oL = (L + padLeft + padRight - dilation (k - 1) - 1) / stride + 1} and
 * <pre>
 *   y[n, o, i] = bias[o] + &Sigma;_{c, a} weight[o, c, a] x[n, (o / (C_out / groups)) C_in / groups + c, i stride - padLeft + a dilation]
 * </pre>
 * Parameters {@code weight} [C_out, C_in / groups, k] and {@code bias} [C_out], initialized as
 * PyTorch (uniform on &plusmn;1/sqrt(fan_in), fan_in = C_in / groups &middot; k). It runs as a
 * {@link Conv2d} of height 1 on views of the input and weight, so it shares its kernels.
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(16, 32, 5, 1, "same", 1, 1, true, new Generator(0));
 * Tensor y = conv.forward(Tensor.zeros(DType.FLOAT32, 8, 16, 100));      // [8, 32, 100]
 * }</pre>
 */
public final class Conv1d extends ConvolutionBase {
    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final String paddingMode;
    private final int dilation;

    /** Stride 1, no padding, with a bias, initialized from {@link Init#defaultGenerator()}. */
    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true, Init.defaultGenerator());
    }

    /** Every argument, padding as an int; float32. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups, boolean bias,
                  Generator generator) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, DType.FLOAT32, generator);
    }

    /** Every argument, padding "same" or "valid"; float32. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, String padding, int dilation, int groups, boolean bias,
                  Generator generator) {
        this(inChannels, outChannels, kernelSize, stride, 0, padding, dilation, groups, bias, DType.FLOAT32, generator);
    }

    /** Every argument and the parameters' dtype; {@code paddingMode} ("same", "valid") overrides {@code padding} when not null. */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, String paddingMode, int dilation,
                  int groups, boolean bias, DType dtype, Generator generator) {
        super("Conv1d", inChannels, outChannels, new int[] {kernelSize}, groups, bias, dtype, generator);
        String op = "Conv1d";
        if (stride < 1 || dilation < 1 || padding < 0) {
            throw new IllegalArgumentException(op + ": stride and dilation must be >= 1 and padding >= 0, got stride " + stride
                    + ", dilation " + dilation + ", padding " + padding);
        }
        if ("same".equals(paddingMode)) {
            Convolutions.checkSameStride(op, new int[] {stride});
        }
        if (paddingMode != null) {
            Convolutions.geometry(op, new int[] {1, stride}, null, paddingMode, new int[] {1, dilation}, 1,
                    new int[] {1, 1, 1, kernelSize});
        }
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.paddingMode = paddingMode;
        this.dilation = dilation;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Convolutions.convolve1d("Conv1d", input, weight(), bias(), stride, padding, paddingMode, dilation, groups());
    }

    @Override
    protected String describe() {
        return describe("kernel_size=" + kernelSize + ", stride=" + stride + ", padding="
                + (paddingMode == null ? String.valueOf(padding) : paddingMode) + (dilation != 1 ? ", dilation=" + dilation : ""));
    }
}
