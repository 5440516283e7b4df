package dev.descent.nn;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import java.util.Arrays;

/**
 * A {@link Linear} layer reparameterized by weight normalization (Salimans and Kingma, 2016):
 * each output row of the weight is {@code w = g * v / ||v||}, so its length g and direction v are
 * trained separately. Starts from the wrapped layer's weights ({@code g = ||w||}, {@code v = w});
 * parameters are named {@code weight_g} ({@code [out, 1]}), {@code weight_v} and {@code bias}, as
 * PyTorch's {@code weight_norm} names them.
 */
public final class WeightNorm extends Module {
    private final Parameter weightG;
    private final Parameter weightV;
    private final Parameter bias;
    private final int inFeatures;

    public WeightNorm(Linear linear) {
        inFeatures = linear.inFeatures();
        Tensor w = linear.weight();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            weightG = registerParameter("weight_g", new Parameter(w.data().norm(2, new int[] {1}, true)));
            weightV = registerParameter("weight_v", new Parameter(w.data().copy()));
        }
        bias = linear.bias() == null ? null : registerParameter("bias", new Parameter(linear.bias().data().copy()));
    }

    /** The effective weight g * v / ||v||, recomputed from the parameters. */
    public Tensor weight() {
        return weightV.mul(weightG.div(weightV.norm(2, new int[] {1}, true)));
    }

    public Parameter weightG() {
        return weightG;
    }

    public Parameter weightV() {
        return weightV;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() == 0 || input.shape(-1) != inFeatures) {
            throw new IllegalArgumentException("WeightNorm: expected an input whose last dimension is " + inFeatures
                    + ", got shape " + Arrays.toString(input.shape()));
        }
        Tensor out = input.matmul(weight().t());
        return bias == null ? out : out.add(bias);
    }

    @Override
    protected String describe() {
        return "in=" + inFeatures + ", out=" + weightV.shape(0);
    }
}
