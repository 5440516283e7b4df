package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.Generator;
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
public final class Dropout2d extends DropoutBase {
    /** p = 0.5, PyTorch's default, masks from {@link Init#defaultGenerator()}. */
    public Dropout2d() {
        this(0.5);
    }

    /** Masks drawn from {@link Init#defaultGenerator()}. */
    public Dropout2d(double p) {
        this(p, Init.defaultGenerator());
    }

    public Dropout2d(double p, Generator generator) {
        super("Dropout2d", p, generator);
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("Dropout2d: expected a 4-d input [N, C, H, W], got shape " + Arrays.toString(shape));
        }
        // one draw per channel, broadcast over H and W
        return dropout(input, new int[] {shape[0], shape[1], 1, 1});
    }
}
