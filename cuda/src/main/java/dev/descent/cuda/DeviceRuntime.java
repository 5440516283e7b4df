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
}
