package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** exp(x) / sum(exp(x)) along {@code dim}, computed stably. */
public final class Softmax extends Module {
    private final int dim;

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.softmax(dim);
    }

    @Override
    protected String describe() {
        return "dim=" + dim;
    }
}
