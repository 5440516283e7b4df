package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;

/** Binary cross-entropy from logits, stable for any magnitude, with an optional positive-class weight: see {@link Losses#binaryCrossEntropyWithLogits}. */
public final class BCEWithLogitsLoss extends Loss {
    private NDArray positiveWeight;

    /** Weights the positive term, per class (broadcast against the target); returns this. */
    public BCEWithLogitsLoss positiveWeight(NDArray weight) {
        positiveWeight = weight;
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.binaryCrossEntropyWithLogits(input, target, positiveWeight, reduction());
    }
}
