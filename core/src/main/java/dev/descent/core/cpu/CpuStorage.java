package dev.descent.core.cpu;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Storage;

/** A storage on the host: exactly one of the three Java arrays is set, matching the dtype. */
final class CpuStorage implements Storage {
    final float[] floats;
    final double[] doubles;
    final int[] ints;
    private final DType dtype;

    private CpuStorage(DType dtype, float[] floats, double[] doubles, int[] ints) {
        this.dtype = dtype;
        this.floats = floats;
        this.doubles = doubles;
        this.ints = ints;
    }

    static CpuStorage allocate(DType dtype, int size) {
        return switch (dtype) {
            case FLOAT32 -> new CpuStorage(dtype, new float[size], null, null);
            case FLOAT64 -> new CpuStorage(dtype, null, new double[size], null);
            case INT32 -> new CpuStorage(dtype, null, null, new int[size]);
        };
    }

    /** Wraps (does not copy) a {@code float[]}, {@code double[]} or {@code int[]}. */
    static CpuStorage wrap(Object array) {
        if (array instanceof float[] f) {
            return new CpuStorage(DType.FLOAT32, f, null, null);
        }
        if (array instanceof double[] d) {
            return new CpuStorage(DType.FLOAT64, null, d, null);
        }
        if (array instanceof int[] i) {
            return new CpuStorage(DType.INT32, null, null, i);
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
