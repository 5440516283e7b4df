package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;

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
public final class Conv1d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final String paddingMode;
    private final int dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

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
        String op = "Conv1d";
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(op + ": in and out channels must be positive, got " + inChannels + " and " + outChannels);
        }
        if (kernelSize < 1 || stride < 1 || dilation < 1 || padding < 0) {
            throw new IllegalArgumentException(op + ": kernelSize, stride and dilation must be >= 1 and padding >= 0, got kernelSize "
                    + kernelSize + ", stride " + stride + ", dilation " + dilation + ", padding " + padding);
        }
        if ("same".equals(paddingMode)) {
            Convolutions.checkSameStride(op, new int[] {stride});
        }
        if (paddingMode != null) {
            Convolutions.geometry(op, new int[] {1, stride}, null, paddingMode, new int[] {1, dilation}, 1,
                    new int[] {1, 1, 1, kernelSize});
        }
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(op + ": groups " + groups + " must divide both inChannels " + inChannels
                    + " and outChannels " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.paddingMode = paddingMode;
        this.dilation = dilation;
        this.groups = groups;
        this.weight = registerParameter("weight", new Parameter(NDArray.zeros(dtype, outChannels, inChannels / groups, kernelSize)));
        Init.kaimingUniform(weight, Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu", generator);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(NDArray.zeros(dtype, outChannels)));
            double bound = 1 / Math.sqrt((double) inChannels / groups * kernelSize);
            Init.uniform(this.bias, -bound, bound, generator);
        } else {
            this.bias = null;
        }
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public Parameter bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    @Override
    public Tensor forward(Tensor input) {
        return Convolutions.convolve1d("Conv1d", input, weight, bias, stride, padding, paddingMode, dilation, groups);
    }

    @Override
    protected String describe() {
        return inChannels + ", " + outChannels + ", kernel_size=" + kernelSize + ", stride=" + stride + ", padding="
                + (paddingMode == null ? String.valueOf(padding) : paddingMode) + (dilation != 1 ? ", dilation=" + dilation : "")
                + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=False" : "");
    }
}
