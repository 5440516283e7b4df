package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** Mean squared error, (input - target)^2: see {@link Losses#mse}. */
public final class MSELoss extends Loss {
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        return Losses.mse(input, target, reduction());
    }
}
