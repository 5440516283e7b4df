package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** Returns its input unchanged: a placeholder where an architecture expects a layer. */
public final class Identity extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input;
    }
}
