package dev.descent.cuda;

import dev.descent.core.Device;

/**
 * What every array of one CUDA device shares, whether the device is a real GPU ({@link CudaDevice})
 * or the host-emulated one ({@link EmulatedDevice}): the caching allocator its storages come from
 * and the counters of the work queued on it.
 */
interface DeviceRuntime {
    Device device();

    CachingAllocator allocator();

    ActivityCounters counters();

    /** Waits until the device has finished the work queued so far. */
    void synchronize();

    /** One line for people: name, memory, driver, GEMM path (or that it is emulated). */
    String description();

    /** Work recorded by {@link #beginRecording} ... {@link #endRecording}, ready to run again and again. */
    interface Recording {
        /** Runs the recorded work once more, on the device's stream. */
        void launch();

        /** How many kernels (and device-side copies) the recording holds. */
        int kernels();

        /** Frees what the recording holds on the device. */
        void destroy();
    }

    /** From now on the calling thread's work on this device is recorded instead of run (a CUDA stream capture). */
    void beginRecording();

    /** Whether work is being recorded now. */
    boolean recording();

    /** Ends the recording and makes it launchable. */
    Recording endRecording();

    /** Ends a recording that failed, discarding it; the device runs work again. */
    void abortRecording();

    /** Refuses work that cannot be part of a captured graph (reading back, uploading from the host), naming it. */
    default void checkNotRecording(String what) {
        if (recording()) {
            throw new IllegalStateException(device() + ": " + what + " while a graph is being captured; a captured step must neither read"
                    + " back nor upload (stage its inputs before)");
        }
    }
}
