package dev.descent.data;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/**
 * Occlusion (DeVries and Taylor, 2017): sets a size x size square at a random center to
 * {@code value} (the square may hang over the border), so the model cannot rely on one region.
 */
public final class Cutout implements Transform {
    private final int size;
    private final double value;
    private final Generator generator;

    public Cutout(int size, double value, Generator generator) {
        if (size <= 0) {
            throw new IllegalArgumentException("Cutout: size must be positive, got " + size);
        }
        this.size = size;
        this.value = value;
        this.generator = generator;
    }

    @Override
    public NDArray apply(NDArray image) {
        int[] hw = Images.size("Cutout", image);
        int centerY = generator.nextInt(hw[0]);
        int centerX = generator.nextInt(hw[1]);
        int top = Math.max(0, centerY - size / 2);
        int left = Math.max(0, centerX - size / 2);
        int bottom = Math.min(hw[0], centerY - size / 2 + size);
        int right = Math.min(hw[1], centerX - size / 2 + size);
        NDArray out = image.copy();
        out.narrow(-2, top, bottom - top).narrow(-1, left, right - left).fill(value);
        return out;
    }
}
