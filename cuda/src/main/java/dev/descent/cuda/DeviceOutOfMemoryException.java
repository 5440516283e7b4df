package dev.descent.cuda;

/**
 * A device allocation failed even after the allocator released its cache. The message reports
 * the request, what the device had free, and the allocator's statistics.
 */
public final class DeviceOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long requestedBytes;
    private final long freeBytes;

    DeviceOutOfMemoryException(String device, long requestedBytes, long freeBytes, long totalBytes, MemoryStatistics statistics) {
        super(String.format("%s: out of memory: tried to allocate %s with %s free of %s (%s in use by arrays, %s reserved"
                        + " by Descent's cache, which was released before retrying)", device, CachingAllocator.describe(requestedBytes),
                CachingAllocator.describe(freeBytes), CachingAllocator.describe(totalBytes),
                CachingAllocator.describe(statistics.allocatedBytes()), CachingAllocator.describe(statistics.reservedBytes())));
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
    }

    /** The size of the allocation that failed. */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** What the device reported free when it failed. */
    public long freeBytes() {
        return freeBytes;
    }
}
