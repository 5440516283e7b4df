package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** (1/beta) log(1 + exp(beta x)), and x itself where beta x &gt; threshold (defaults 1 and 20, as PyTorch). */
public final class Softplus extends Module {
    private final double beta;
    private final double threshold;

    public Softplus() {
        this(1, 20);
    }

    public Softplus(double beta, double threshold) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("Softplus: beta must be positive, got " + beta);
        }
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor scaled = input.mul(beta);
        Tensor smooth = scaled.softplus().div(beta);
        return Tensor.where(scaled.data().gt(threshold), input, smooth);
    }

    @Override
    protected String describe() {
        return "beta=" + beta + ", threshold=" + threshold;
    }
}
