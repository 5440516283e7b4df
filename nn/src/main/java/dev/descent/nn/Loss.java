package dev.descent.nn;

import dev.descent.autograd.Tensor;

/**
 * A loss as an object, configured once and applied to (input, target) pairs; the same
 * computation as its functional form in {@link Losses}.
 *
 * <pre>{@code
 * Loss criterion = new CrossEntropyLoss().labelSmoothing(0.1);
 * Tensor loss = criterion.forward(logits, labels);
 * }</pre>
 */
public abstract class Loss {
    private Reduction reduction = Reduction.MEAN;

    /** Sets how per-element losses combine (default MEAN); returns this. */
    public Loss reduction(Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": reduction must not be null");
        }
        this.reduction = reduction;
        return this;
    }

    public Reduction reduction() {
        return reduction;
    }

    /** The loss of {@code input} against {@code target}. */
    public abstract Tensor forward(Tensor input, Tensor target);
}
