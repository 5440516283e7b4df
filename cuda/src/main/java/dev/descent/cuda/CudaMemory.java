package dev.descent.cuda;

import dev.descent.core.Device;
import dev.descent.core.NDArray;

/**
 * Device memory from Java, as {@code torch.cuda.memory_allocated()} and friends: statistics of a
 * device's caching allocator, releasing its cache, and releasing an array's memory now instead
 * of when the garbage collector finds it unreachable.
 *
 * <pre>{@code
 * NDArray x = NDArray.randn(1024, 1024).to(Device.cuda(0));
 * System.out.println(CudaMemory.statistics(Device.cuda(0)));  // allocated 4.0 MiB, reserved 4.0 MiB, ...
 * CudaMemory.release(x);                                      // x must not be used afterwards
 * }</pre>
 */
public final class CudaMemory {
    private CudaMemory() {
    }

    /** Allocated, reserved and peak bytes of {@code device}'s allocator. */
    public static MemoryStatistics statistics(Device device) {
        return CudaBackendProvider.runtime(device).allocator().statistics();
    }

    /** Returns the cached, unused blocks of {@code device} to the driver. */
    public static void emptyCache(Device device) {
        DeviceRuntime runtime = CudaBackendProvider.runtime(device);
        runtime.synchronize();
        runtime.allocator().emptyCache();
    }

    /** Starts the peak statistic again from the bytes allocated now. */
    public static void resetPeak(Device device) {
        CudaBackendProvider.runtime(device).allocator().resetPeak();
    }

    /**
     * Returns {@code x}'s storage to the cache now. Every view of that storage becomes invalid;
     * the work already queued that reads it still runs first (one stream per device).
     */
    public static void release(NDArray x) {
        if (!(x.storage() instanceof CudaStorage storage)) {
            throw new IllegalArgumentException("CudaMemory.release: array is on " + x.device() + ", not a CUDA device");
        }
        storage.release();
    }
}
