package dev.descent.data;

import dev.descent.core.NDArray;

/**
 * A preprocessing or augmentation step on one sample's input (some also accept a whole batch).
 * Random transforms draw from their own seeded {@link dev.descent.core.Generator}.
 */
@FunctionalInterface
public interface Transform {
    NDArray apply(NDArray input);
}
