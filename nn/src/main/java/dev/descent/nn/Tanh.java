package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** The hyperbolic tangent, applied elementwise. */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
