package dev.descent.data;

import dev.descent.core.NDArray;

/** (x - mean) / std with fixed values, e.g. MNIST's mean 0.1307 and std 0.3081. */
public final class Normalize implements Transform {
    private final double mean;
    private final double std;

    public Normalize(double mean, double std) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("Normalize: std must be positive, got " + std);
        }
        this.mean = mean;
        this.std = std;
    }

    @Override
    public NDArray apply(NDArray input) {
        return input.sub(mean).divi(std);
    }

    /** The same in {@code owned}'s own memory, for an array no one else holds ({@link Compose} after {@link ToTensor}). */
    NDArray applyInPlace(NDArray owned) {
        return owned.subi(mean).divi(std);
    }
}
