package dev.descent.data;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/** Pads the image with {@code padding} zeros on every side, then cuts a random window of the original size. */
public final class RandomCrop implements Transform {
    private final int padding;
    private final Generator generator;

    public RandomCrop(int padding, Generator generator) {
        if (padding < 0) {
            throw new IllegalArgumentException("RandomCrop: padding must be >= 0, got " + padding);
        }
        this.padding = padding;
        this.generator = generator;
    }

    @Override
    public NDArray apply(NDArray image) {
        Images.size("RandomCrop", image);
        int offsetY = generator.nextInt(2 * padding + 1) - padding;
        int offsetX = generator.nextInt(2 * padding + 1) - padding;
        return Images.remap(image, (y, x, source) -> {
            source[0] = y + offsetY;
            source[1] = x + offsetX;
        });
    }
}
