package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.Generator;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 - p), so the expected output equals the input; in evaluation it is the identity.
 * Masks come from the given {@link Generator}, so a seeded run drops the same units every time.
 */
public final class Dropout extends DropoutBase {
    /** Masks drawn from {@link Init#defaultGenerator()}. */
    public Dropout(double p) {
        this(p, Init.defaultGenerator());
    }

    public Dropout(double p, Generator generator) {
        super("Dropout", p, generator);
    }

    @Override
    public Tensor forward(Tensor input) {
        return dropout(input, input.shape());
    }
}
