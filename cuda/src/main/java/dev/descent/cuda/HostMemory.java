package dev.descent.cuda;

import java.util.HashMap;
import java.util.Map;

/**
 * The emulated device's "driver memory": a capacity and a ledger of addresses, so that the
 * {@link CachingAllocator} above it makes the same decisions (size classes, reuse, out of memory
 * after emptying the cache) as on a GPU. The values themselves are host arrays held by each
 * {@link CudaStorage}.
 */
final class HostMemory implements DeviceMemory {
    /** Addresses are spaced like a GPU's so that they never collide and read as device addresses in messages. */
    private static final long ALIGNMENT = 512;

    private final long capacity;
    private final Map<Long, Long> blocks = new HashMap<>();
    private long nextAddress = 0x7f0000000000L;
    private long used;

    HostMemory(long capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized long allocate(long bytes) {
        if (used + bytes > capacity) {
            return 0;
        }
        long address = nextAddress;
        nextAddress += (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT + ALIGNMENT;
        blocks.put(address, bytes);
        used += bytes;
        return address;
    }

    @Override
    public synchronized void free(long address) {
        Long bytes = blocks.remove(address);
        if (bytes == null) {
            throw new IllegalStateException("emulated cuda: free of 0x" + Long.toHexString(address) + ", which was never allocated or freed twice");
        }
        used -= bytes;
    }

    @Override
    public synchronized long freeBytes() {
        return capacity - used;
    }

    @Override
    public long totalBytes() {
        return capacity;
    }
}
