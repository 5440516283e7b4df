package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** Mean absolute error, |input - target|: see {@link Losses#l1}. */
public final class L1Loss extends Loss {
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.l1(input, target, reduction());
    }
}
