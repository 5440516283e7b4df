package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.Backend;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 - p), so the expected output equals the input; in evaluation it is the identity.
 * Masks come from the given {@link Generator}, so a seeded run drops the same units every time.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** Masks drawn from {@link Init#defaultGenerator()}. */
    public Dropout(double p) {
        this(p, Init.defaultGenerator());
    }

    public Dropout(double p, Generator generator) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        if (generator == null) {
            throw new IllegalArgumentException("Dropout: a Generator is required");
        }
        this.p = p;
        this.generator = generator;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (!isTraining() || p == 0) {
            return input;
        }
        // the mask carries the scale 1 / (1 - p) from the fill, on the input's device
        NDArray mask = NDArray.empty(input.dtype(), input.shape(), input.device());
        mask.backend().random(Backend.Distribution.BERNOULLI, 1 - p, 1 / (1 - p), generator, mask);
        return input.mul(Tensor.of(mask));
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
