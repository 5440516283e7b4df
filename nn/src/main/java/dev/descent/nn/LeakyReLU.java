package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** x for x &gt; 0 and {@code negativeSlope * x} otherwise (default slope 0.01, as PyTorch). */
public final class LeakyReLU extends Module {
    private final double negativeSlope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double negativeSlope) {
        this.negativeSlope = negativeSlope;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.leakyRelu(negativeSlope);
    }

    @Override
    protected String describe() {
        return "negativeSlope=" + negativeSlope;
    }
}
