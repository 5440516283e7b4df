package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** The rectifier, max(x, 0), applied elementwise. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
