package dev.descent.core.cpu;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Storage;

/**
 * A storage on the host: exactly one of the three Java arrays is set, matching the dtype. A
 * storage this class allocated goes back to the {@link HostArrayPool} when {@link #release}d (the
 * autograd engine does so with the intermediate gradients of a backward pass), and its array
 * fields are cleared, so that a view used after its release fails instead of reading an array
 * that another storage now owns. Wrapped arrays (uploads, scratch blocks) are never pooled.
 */
final class CpuStorage implements Storage {
    float[] floats;
    double[] doubles;
    int[] ints;
    private final DType dtype;
    /** Allocated here, so no one else holds the array: only such storages give it to the pool. */
    private final boolean owned;

    private CpuStorage(DType dtype, float[] floats, double[] doubles, int[] ints, boolean owned) {
        this.dtype = dtype;
        this.floats = floats;
        this.doubles = doubles;
        this.ints = ints;
        this.owned = owned;
    }

    /** {@code size} zeros: a pooled array when one of this type and length is free, else a new one. */
    static CpuStorage allocate(DType dtype, int size) {
        Object recycled = HostArrayPool.take(dtype, size);
        return switch (dtype) {
            case FLOAT32 -> new CpuStorage(dtype, recycled != null ? (float[]) recycled : new float[size], null, null, true);
            case FLOAT64 -> new CpuStorage(dtype, null, recycled != null ? (double[]) recycled : new double[size], null, true);
            case INT32 -> new CpuStorage(dtype, null, null, recycled != null ? (int[]) recycled : new int[size], true);
        };
    }

    /**
     * Gives an allocated array to the pool and clears this storage, so every view of it becomes
     * unusable (a kernel reading it throws {@link NullPointerException}). Idempotent; does nothing
     * for wrapped arrays.
     */
    @Override
    public void release() {
        if (!owned) {
            return;
        }
        Object array = array();
        if (array == null) {
            return;
        }
        int length = size();
        floats = null;
        doubles = null;
        ints = null;
        HostArrayPool.give(dtype, array, length);
    }

    /** Wraps (does not copy) a {@code float[]}, {@code double[]} or {@code int[]}. */
    static CpuStorage wrap(Object array) {
        if (array instanceof float[] f) {
            return new CpuStorage(DType.FLOAT32, f, null, null, false);
        }
        if (array instanceof double[] d) {
            return new CpuStorage(DType.FLOAT64, null, d, null, false);
        }
        if (array instanceof int[] i) {
            return new CpuStorage(DType.INT32, null, null, i, false);
        }
        throw new IllegalArgumentException("CpuStorage: expected float[], double[] or int[], got "
                + (array == null ? "null" : array.getClass().getSimpleName()));
    }

    /** The backing Java array. */
    Object array() {
        return switch (dtype) {
            case FLOAT32 -> floats;
            case FLOAT64 -> doubles;
            case INT32 -> ints;
        };
    }

    double get(int index) {
        return switch (dtype) {
            case FLOAT32 -> floats[index];
            case FLOAT64 -> doubles[index];
            case INT32 -> ints[index];
        };
    }

    /** Stores a value that the caller has already checked fits the dtype. */
    void set(int index, double value) {
        switch (dtype) {
            case FLOAT32 -> floats[index] = (float) value;
            case FLOAT64 -> doubles[index] = value;
            case INT32 -> ints[index] = (int) value;
        }
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return switch (dtype) {
            case FLOAT32 -> floats.length;
            case FLOAT64 -> doubles.length;
            case INT32 -> ints.length;
        };
    }
}
