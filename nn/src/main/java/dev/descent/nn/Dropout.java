package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
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
        // float32 masks carry the scale 1 / (1 - p) from the fill; wider dtypes scale in their own precision
        NDArray mask = input.dtype() == DType.FLOAT32 ? NDArray.bernoulli(1 - p, 1 / (1 - p), generator, input.shape())
                : NDArray.bernoulli(1 - p, generator, input.shape()).astype(input.dtype()).divi(1 - p);
        return input.mul(Tensor.of(mask));
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
