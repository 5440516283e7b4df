package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** x - log(sum(exp(x))) along {@code dim}, computed stably (pair it with {@link NLLLoss}). */
public final class LogSoftmax extends Module {
    private final int dim;

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.logSoftmax(dim);
    }

    @Override
    protected String describe() {
        return "dim=" + dim;
    }
}
