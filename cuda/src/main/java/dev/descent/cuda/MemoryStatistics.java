package dev.descent.cuda;

/**
 * A snapshot of a device's {@link CachingAllocator}, as {@code torch.cuda.memory_allocated},
 * {@code memory_reserved} and {@code max_memory_allocated} report it: bytes held by live arrays,
 * bytes taken from the driver (live plus cached for reuse), and the highest {@code allocatedBytes}
 * since the last {@link CudaMemory#resetPeak}.
 */
public record MemoryStatistics(long allocatedBytes, long reservedBytes, long peakAllocatedBytes, long blocksInUse, long cachedBlocks) {
    @Override
    public String toString() {
        return String.format("allocated %s, reserved %s, peak %s (%d blocks in use, %d cached)",
                CachingAllocator.describe(allocatedBytes), CachingAllocator.describe(reservedBytes),
                CachingAllocator.describe(peakAllocatedBytes), blocksInUse, cachedBlocks);
    }
}
