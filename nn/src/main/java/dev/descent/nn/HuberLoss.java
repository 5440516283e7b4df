package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** Quadratic for errors below delta, linear beyond (default delta 1): see {@link Losses#huber}. */
public final class HuberLoss extends Loss {
    private double delta = 1;

    /** Sets the threshold between the quadratic and linear parts; returns this. */
    public HuberLoss delta(double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException("HuberLoss: delta must be positive, got " + value);
        }
        delta = value;
        return this;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.huber(input, target, delta, reduction());
    }
}
