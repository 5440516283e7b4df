package dev.descent.cuda;

/**
 * Raw device memory as the driver hands it out ({@code cuMemAlloc}, {@code cuMemFree},
 * {@code cuMemGetInfo}); the {@link CachingAllocator} sits on top. An interface so that the
 * allocator's bookkeeping is tested without a GPU.
 */
interface DeviceMemory {
    /** The address of {@code bytes} new bytes, or 0 when the device is out of memory. */
    long allocate(long bytes);

    /** Returns memory from {@link #allocate} to the device. */
    void free(long address);

    /** Bytes the device could still hand out. */
    long freeBytes();

    /** The device's memory size in bytes. */
    long totalBytes();
}
