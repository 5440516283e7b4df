package dev.descent.core;

/**
 * How a device module (such as {@code descent-cuda}) plugs in without {@code core} importing it:
 * the module lists its implementation in
 * {@code META-INF/services/dev.descent.core.BackendProvider} and {@link java.util.ServiceLoader}
 * finds it at run time.
 */
public interface BackendProvider {
    /** The kind of device this provider serves. */
    Device.Type type();

    /** The number of usable devices of this kind (0 when the driver or hardware is missing). */
    int deviceCount();

    /**
     * One line for people: the devices found (name, memory, driver, which GEMM runs), or why none
     * is usable (no driver, no device, a native library missing).
     */
    default String status() {
        int count = deviceCount();
        return count + " " + type() + " device(s)";
    }

    /** The backend of device {@code index}, created on first use and cached. */
    Backend backend(int index);
}
