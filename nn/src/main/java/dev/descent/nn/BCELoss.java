package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** Binary cross-entropy of probabilities: see {@link Losses#binaryCrossEntropy}. */
public final class BCELoss extends Loss {
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropy(input, target, reduction());
    }
}
