package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** The logistic function, 1 / (1 + exp(-x)), applied elementwise. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
