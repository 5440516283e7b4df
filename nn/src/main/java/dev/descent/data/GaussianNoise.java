package dev.descent.data;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/** Adds independent N(0, std^2) noise to every pixel. */
public final class GaussianNoise implements Transform {
    private final double std;
    private final Generator generator;

    public GaussianNoise(double std, Generator generator) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("GaussianNoise: std must be >= 0, got " + std);
        }
        this.std = std;
        this.generator = generator;
    }

    @Override
    public NDArray apply(NDArray image) {
        return image.add(NDArray.randn(image.dtype().toFloatingPoint(), generator, image.shape()).muli(std));
    }
}
