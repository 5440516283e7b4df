/**
 * Arrays and the devices they live on: {@link dev.descent.core.NDArray} (strided views over a
 * {@link dev.descent.core.Storage}, with broadcasting, reductions and matrix products),
 * {@link dev.descent.core.Shape}, {@link dev.descent.core.DType}, {@link dev.descent.core.Device},
 * the seeded {@link dev.descent.core.Generator}, {@link dev.descent.core.MemoryScope} and
 * {@link dev.descent.core.DeferredChecks} for device memory and device-side argument checks, and
 * the global settings in {@link dev.descent.core.Descent}.
 *
 * <p>Each device provides a {@link dev.descent.core.Backend}: the primitives every array operation
 * calls, and through {@link dev.descent.core.Backend#fused()} optional
 * {@link dev.descent.core.FusedKernels} (optimizer updates, batch normalization) that default to
 * compositions of the primitives. The CPU's backend is in {@code dev.descent.core.cpu}; other
 * devices plug in through {@link dev.descent.core.BackendProvider} without core importing them.
 */
package dev.descent.core;
