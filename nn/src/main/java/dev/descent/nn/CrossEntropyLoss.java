package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;

/** Cross-entropy from logits against INT32 class indices, fused through a stable log-softmax, with optional class weights, label smoothing and an ignored index: see {@link Losses#crossEntropy(Tensor, Tensor, NDArray, double, int, Reduction)}. */
public final class CrossEntropyLoss extends Loss {
    private NDArray weight;
    private double labelSmoothing;
    private int ignoreIndex = Losses.DEFAULT_IGNORE_INDEX;

    /** Per-class weights of shape [C]; returns this. */
    public CrossEntropyLoss weight(NDArray classWeights) {
        weight = classWeights;
        return this;
    }

    /** Mixes the one-hot target with the uniform distribution by this amount, in [0, 1]; returns this. */
    public CrossEntropyLoss labelSmoothing(double amount) {
        if (!(amount >= 0 && amount <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: labelSmoothing must be in [0, 1], got " + amount);
        }
        labelSmoothing = amount;
        return this;
    }

    /** A target value to skip (default -100); returns this. */
    public CrossEntropyLoss ignoreIndex(int index) {
        ignoreIndex = index;
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.crossEntropy(input, target, weight, labelSmoothing, ignoreIndex, reduction());
    }
}
