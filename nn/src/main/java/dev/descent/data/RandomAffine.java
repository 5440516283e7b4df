package dev.descent.data;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/**
 * A random rotation (uniform in &plusmn;maxDegrees), scaling (uniform in [minScale, maxScale]) and
 * translation (uniform in &plusmn;maxShift pixels on each axis) about the image center, applied by
 * inverse mapping with bilinear interpolation; uncovered pixels become 0.
 *
 * <pre>{@code
 * Transform augment = new Compose(RandomAffine.rotation(10, g), RandomAffine.translation(2, g));
 * }</pre>
 */
public final class RandomAffine implements Transform {
    private final double maxDegrees;
    private final double maxShift;
    private final double minScale;
    private final double maxScale;
    private final Generator generator;

    public RandomAffine(double maxDegrees, double maxShift, double minScale, double maxScale, Generator generator) {
        if (!(maxDegrees >= 0) || !(maxShift >= 0) || !(minScale > 0) || !(maxScale >= minScale)) {
            throw new IllegalArgumentException("RandomAffine: needs maxDegrees >= 0, maxShift >= 0 and 0 < minScale <= maxScale,"
                    + " got " + maxDegrees + ", " + maxShift + ", " + minScale + ", " + maxScale);
        }
        this.maxDegrees = maxDegrees;
        this.maxShift = maxShift;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.generator = generator;
    }

    /** Shifts by up to {@code maxShift} pixels on each axis. */
    public static RandomAffine translation(double maxShift, Generator generator) {
        return new RandomAffine(0, maxShift, 1, 1, generator);
    }

    /** Rotates by up to {@code maxDegrees} either way. */
    public static RandomAffine rotation(double maxDegrees, Generator generator) {
        return new RandomAffine(maxDegrees, 0, 1, 1, generator);
    }

    /** Scales by a factor in [minScale, maxScale]. */
    public static RandomAffine scaling(double minScale, double maxScale, Generator generator) {
        return new RandomAffine(0, 0, minScale, maxScale, generator);
    }

    @Override
    public NDArray apply(NDArray image) {
        int[] size = Images.size("RandomAffine", image);
        double angle = Math.toRadians((2 * generator.nextDouble() - 1) * maxDegrees);
        double scale = minScale + (maxScale - minScale) * generator.nextDouble();
        double shiftY = (2 * generator.nextDouble() - 1) * maxShift;
        double shiftX = (2 * generator.nextDouble() - 1) * maxShift;
        double centerY = (size[0] - 1) / 2.0;
        double centerX = (size[1] - 1) / 2.0;
        double cos = Math.cos(angle) / scale;
        double sin = Math.sin(angle) / scale;
        // output = R S (input - center) + center + shift, so input = (R S)^-1 (output - center - shift) + center
        return Images.remap(image, (y, x, source) -> {
            double dy = y - centerY - shiftY;
            double dx = x - centerX - shiftX;
            source[0] = cos * dy - sin * dx + centerY;
            source[1] = sin * dy + cos * dx + centerX;
        });
    }
}
