package dev.descent.nn;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * What {@link Conv1d} and {@link Conv2d} share (as PyTorch's {@code _ConvNd}): the channel counts
 * and groups, checked, and the parameters {@code weight} [C_out, C_in / groups, *kernel] and
 * {@code bias} [C_out] with PyTorch's initialization: weight Kaiming uniform with a = sqrt 5
 * (uniform on &plusmn;1/sqrt(fan_in)) and bias uniform on &plusmn;1/sqrt(fan_in), where fan_in =
 * C_in / groups times the kernel's size. Each subclass checks and keeps its own geometry.
 */
public abstract class ConvolutionBase extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    ConvolutionBase(String layer, int inChannels, int outChannels, int[] kernelSize, int groups, boolean bias, DType dtype,
                    Generator generator) {
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(layer + ": in and out channels must be positive, got " + inChannels + " and " + outChannels);
        }
        if (kernelSize == null || Arrays.stream(kernelSize).anyMatch(k -> k < 1)) {
            throw new IllegalArgumentException(layer + ": kernelSize must be >= 1, got " + Arrays.toString(kernelSize));
        }
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(layer + ": groups " + groups + " must divide both inChannels " + inChannels
                    + " and outChannels " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int[] weightShape = new int[2 + kernelSize.length];
        weightShape[0] = outChannels;
        weightShape[1] = inChannels / groups;
        System.arraycopy(kernelSize, 0, weightShape, 2, kernelSize.length);
        this.weight = registerParameter("weight", new Parameter(NDArray.zeros(dtype, weightShape)));
        Init.kaimingUniform(weight, Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu", generator);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(NDArray.zeros(dtype, outChannels)));
            double bound = 1 / Math.sqrt((double) inChannels / groups * Arrays.stream(kernelSize).asLongStream().reduce(1, (a, b) -> a * b));
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

    public int groups() {
        return groups;
    }

    /** PyTorch's repr of the channels, then {@code geometry}, then groups and a missing bias when not the defaults. */
    String describe(String geometry) {
        return inChannels + ", " + outChannels + ", " + geometry + (groups != 1 ? ", groups=" + groups : "") + (bias == null ? ", bias=False" : "");
    }
}
