package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * y = x W<sup>T</sup> + b, with W of shape {@code [out, in]}. Initialized as PyTorch does: W and
 * b uniform on (-1/sqrt(in), 1/sqrt(in)) (Kaiming uniform with a = sqrt 5).
 */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /** With a bias, initialized from {@link Init#defaultGenerator()}. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Init.defaultGenerator());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Init.defaultGenerator());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator generator) {
        this(inFeatures, outFeatures, bias, DType.FLOAT32, generator);
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, DType dtype, Generator generator) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: in and out features must be positive, got " + inFeatures + " and "
                    + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", new Parameter(NDArray.zeros(dtype, outFeatures, inFeatures)));
        Init.kaimingUniform(weight, Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu", generator);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(NDArray.zeros(dtype, outFeatures)));
            double bound = 1 / Math.sqrt(inFeatures);
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

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() == 0 || input.shape(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear: expected an input whose last dimension is " + inFeatures + ", got shape "
                    + Arrays.toString(input.shape()));
        }
        if (input.rank() == 2 && input.dtype() == weight.dtype() && (bias == null || bias.dtype() == weight.dtype())) {
            return bias == null ? new LinearFunction(false).apply(input, weight) : new LinearFunction(true).apply(input, weight, bias);
        }
        Tensor out = input.matmul(weight.t());
        return bias == null ? out : out.add(bias);
    }

    @Override
    protected String describe() {
        return "in=" + inFeatures + ", out=" + outFeatures + (bias == null ? ", no bias" : "");
    }
}
