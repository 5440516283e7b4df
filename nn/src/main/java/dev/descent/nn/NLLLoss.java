package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;

/** Negative log-likelihood of log-probabilities against INT32 class indices: see {@link Losses#nll}. */
public final class NLLLoss extends Loss {
    private NDArray weight;
    private int ignoreIndex = Losses.DEFAULT_IGNORE_INDEX;

    /** Per-class weights of shape [C]; returns this. */
    public NLLLoss weight(NDArray classWeights) {
        weight = classWeights;
        return this;
    }

    /** A target value to skip (default -100); returns this. */
    public NLLLoss ignoreIndex(int index) {
        ignoreIndex = index;
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.nll(input, target, weight, ignoreIndex, reduction());
    }
}
