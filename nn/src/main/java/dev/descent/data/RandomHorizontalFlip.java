package dev.descent.data;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/** Mirrors the image left to right with probability p (not for digits, whose meaning changes; fine for clothing). */
public final class RandomHorizontalFlip implements Transform {
    private final double p;
    private final Generator generator;

    public RandomHorizontalFlip(double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.generator = generator;
    }

    @Override
    public NDArray apply(NDArray image) {
        int width = Images.size("RandomHorizontalFlip", image)[1];
        if (generator.nextDouble() >= p) {
            return image;
        }
        return Images.remap(image, (y, x, source) -> {
            source[0] = y;
            source[1] = width - 1 - x;
        });
    }
}
