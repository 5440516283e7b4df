package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.Backend;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * Channel dropout of [N, C, H, W] inputs, as PyTorch's {@code nn.Dropout2d}: in training each
 * whole channel (n, c) is zeroed with probability p and the kept ones are scaled by 1/(1 - p);
 * in evaluation it is the identity. Neighbouring pixels of a feature map are strongly correlated,
 * so dropping single pixels barely regularizes a convolutional layer; dropping whole maps does.
 * The mask [N, C, 1, 1] comes from the given {@link Generator}, so a seeded run drops the same
 * channels every time.
 *
 * <pre>{@code
 * Dropout2d dropout = new Dropout2d(0.2, new Generator(7));
 * Tensor y = dropout.forward(Tensor.randn(new Generator(0), 8, 16, 14, 14));   // about 20% of the 128 maps zero
 * }</pre>
 */
public final class Dropout2d extends Module {
    private final double p;
    private final Generator generator;

    /** p = 0.5, PyTorch's default, masks from {@link Init#defaultGenerator()}. */
    public Dropout2d() {
        this(0.5);
    }

    /** Masks drawn from {@link Init#defaultGenerator()}. */
    public Dropout2d(double p) {
        this(p, Init.defaultGenerator());
    }

    public Dropout2d(double p, Generator generator) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout2d: p must be in [0, 1), got " + p);
        }
        if (generator == null) {
            throw new IllegalArgumentException("Dropout2d: a Generator is required");
        }
        this.p = p;
        this.generator = generator;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("Dropout2d: expected a 4-d input [N, C, H, W], got shape " + Arrays.toString(shape));
        }
        if (!isTraining() || p == 0) {
            return input;
        }
        // one draw per channel, carrying the scale 1 / (1 - p) from the fill, broadcast over H and W
        NDArray mask = NDArray.empty(input.dtype(), new int[] {shape[0], shape[1], 1, 1}, input.device());
        mask.backend().random(Backend.Distribution.BERNOULLI, 1 - p, 1 / (1 - p), generator, mask);
        return input.mul(Tensor.of(mask));
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
