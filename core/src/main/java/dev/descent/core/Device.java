package dev.descent.core;

import java.util.Objects;

/**
 * Where an array's storage lives: {@link #CPU} or a CUDA device {@link #cuda(int)}.
 * Operations between arrays on different devices are an error; {@link NDArray#to(Device)} copies.
 */
public final class Device {
    /** The kind of a device. */
    public enum Type { CPU, CUDA }

    /** The host: Java arrays and the multi-threaded CPU kernels. */
    public static final Device CPU = new Device(Type.CPU, 0);

    private final Type type;
    private final int index;

    private Device(Type type, int index) {
        this.type = type;
        this.index = index;
    }

    /** The CUDA device with the given ordinal (0 for the first GPU). */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("Device.cuda: device index must be >= 0, got " + index);
        }
        return new Device(Type.CUDA, index);
    }

    /** Whether a CUDA backend is on the class path and reports at least one device. */
    public static boolean cudaAvailable() {
        return Backends.cudaDeviceCount() > 0;
    }

    /** The number of usable CUDA devices (0 without the cuda module, a driver or a GPU). */
    public static int cudaDeviceCount() {
        return Backends.cudaDeviceCount();
    }

    /**
     * One line on CUDA here: each device (name, memory, driver, GEMM path), or why there is none
     * (module not on the class path, no NVIDIA driver, no device).
     */
    public static String cudaStatus() {
        return Backends.cudaStatus();
    }

    public Type type() {
        return type;
    }

    public int index() {
        return index;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Device d && d.type == type && d.index == index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, index);
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
