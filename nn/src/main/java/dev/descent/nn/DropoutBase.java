package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.Backend;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/**
 * What {@link Dropout} and {@link Dropout2d} share (as PyTorch's {@code _DropoutNd}): the
 * probability p, checked to lie in [0, 1), the {@link Generator} the masks come from, and the
 * masked product. Each subclass chooses the shape of its mask: one draw per element, or one per
 * channel broadcast over the feature map.
 */
public abstract class DropoutBase extends Module {
    private final double p;
    private final Generator generator;

    DropoutBase(String layer, double p, Generator generator) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(layer + ": p must be in [0, 1), got " + p);
        }
        if (generator == null) {
            throw new IllegalArgumentException(layer + ": a Generator is required");
        }
        this.p = p;
        this.generator = generator;
    }

    /** The probability of zeroing. */
    public double p() {
        return p;
    }

    /**
     * In training, the input times a mask of {@code maskShape} (broadcast against it) whose entries
     * are 0 with probability p and 1 / (1 - p) otherwise; in evaluation, or with p = 0, the input.
     */
    Tensor dropout(Tensor input, int[] maskShape) {
        if (!isTraining() || p == 0) {
            return input;
        }
        // the mask carries the scale 1 / (1 - p) from the fill, on the input's device
        NDArray mask = NDArray.empty(input.dtype(), maskShape, input.device());
        mask.backend().random(Backend.Distribution.BERNOULLI, 1 - p, 1 / (1 - p), generator, mask);
        return input.mul(Tensor.of(mask));
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
