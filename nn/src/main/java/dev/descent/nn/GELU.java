package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** The Gaussian error linear unit, x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)) (the exact form, PyTorch's default). */
public final class GELU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.gelu();
    }
}
