package dev.descent.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory reused by size class, as PyTorch's CUDA allocator does: {@code cuMemAlloc} and
 * {@code cuMemFree} synchronize the device and cost microseconds, while a training loop asks for
 * the same few sizes every step. A released block goes to a free list of its size class and the
 * next request of that class takes it back, so after the first step nothing reaches the driver.
 *
 * <p>Size classes: requests round up to a multiple of 512 bytes, and above 1 MiB to a multiple
 * of 2 MiB (large blocks of nearby sizes then share a list, at most 2 MiB - 512 wasted).
 * Blocks are not split or merged. When the driver is out of memory the cache is returned to it
 * and the request retried; then a garbage collection gives back the blocks of unreachable arrays
 * and it is retried a last time before {@link DeviceOutOfMemoryException}.
 *
 * <p>Reuse is safe without events because every kernel of a device runs on its one stream: work
 * that read a block is ordered before work that reuses it. Thread-safe (the {@code Cleaner}
 * thread releases too).
 */
final class CachingAllocator {
    static final long SMALL_ROUNDING = 512;
    static final long LARGE_THRESHOLD = 1L << 20;
    static final long LARGE_ROUNDING = 2L << 20;

    /** A block handed out: its device address and its size class in bytes. */
    record Block(long address, long bytes) {
    }

    /**
     * The blocks of one captured graph: its kernels read and write them on every replay, so none
     * may go to an array outside the graph while it lives. Blocks released during the capture
     * return to the pool's own free lists (later allocations of the same capture may reuse them:
     * the graph replays in capture order); when the graph closes, its free blocks join the general
     * cache and blocks still held by arrays (gradients) go there when those are released.
     */
    static final class GraphPool {
        private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
        private boolean closed;
    }

    private final String device;
    private final DeviceMemory memory;
    private final Map<Long, GraphPool> poolOf = new HashMap<>();
    private GraphPool capturing;
    private final Map<Long, ArrayDeque<Long>> cached = new HashMap<>();
    private final Map<Long, Long> inUse = new HashMap<>();
    private long allocatedBytes;
    private long reservedBytes;
    private long peakAllocatedBytes;
    private long cachedBlocks;

    CachingAllocator(String device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
    }

    /** The size class of a request of {@code bytes} (at least one rounding unit). */
    static long sizeClass(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("CachingAllocator: negative size " + bytes);
        }
        long rounding = bytes > LARGE_THRESHOLD ? LARGE_ROUNDING : SMALL_ROUNDING;
        return Math.max(rounding, (bytes + rounding - 1) / rounding * rounding);
    }

    /**
     * A block of at least {@code bytes}, from the cache when one of its class is free. When the
     * device is full even after the cache went back to it, arrays the program no longer reaches
     * may still hold blocks (released only when the garbage collector finds them): one collection
     * runs, their blocks return, and the request is tried a last time.
     */
    Block allocate(long bytes) {
        Block block = tryAllocate(bytes);
        if (block != null) {
            return block;
        }
        collectUnreachableArrays();
        synchronized (this) {
            block = tryAllocate(bytes);
            if (block == null) {
                throw new DeviceOutOfMemoryException(device, bytes, memory.freeBytes(), memory.totalBytes(), statistics());
            }
            return block;
        }
    }

    /** The block, or null when the device stays out of memory after the cache was emptied. */
    private synchronized Block tryAllocate(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Long> poolFree = capturing == null ? null : capturing.free.get(size);
        ArrayDeque<Long> free = poolFree != null && !poolFree.isEmpty() ? poolFree : cached.get(size);
        Long address = free == null ? null : free.poll();
        if (address != null) {
            cachedBlocks--;
        } else {
            long fresh = memory.allocate(size);
            if (fresh == 0) {
                emptyCache();
                fresh = memory.allocate(size);
                if (fresh == 0) {
                    return null;
                }
            }
            address = fresh;
            reservedBytes += size;
        }
        inUse.put(address, size);
        if (capturing != null) {
            poolOf.put(address, capturing);
        }
        allocatedBytes += size;
        peakAllocatedBytes = Math.max(peakAllocatedBytes, allocatedBytes);
        return new Block(address, size);
    }

    /** Runs a collection and waits (outside the lock, which the Cleaner's releases take) until releases stop arriving. */
    private void collectUnreachableArrays() {
        System.gc();
        long inUseBefore;
        int quiet = 0;
        for (int wait = 0; wait < 40 && quiet < 2; wait++) {
            synchronized (this) {
                inUseBefore = inUse.size();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (this) {
                quiet = inUse.size() == inUseBefore ? quiet + 1 : 0;
            }
        }
    }

    /** Returns a block to its free list; releasing one twice is an error. */
    synchronized void release(Block block) {
        Long size = inUse.remove(block.address());
        if (size == null) {
            throw new IllegalStateException(device + ": block at 0x" + Long.toHexString(block.address()) + " released twice or never allocated");
        }
        allocatedBytes -= size;
        GraphPool pool = poolOf.get(block.address());
        if (pool != null && !pool.closed) {
            pool.free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block.address());
        } else {
            poolOf.remove(block.address());
            cached.computeIfAbsent(size, s -> new ArrayDeque<>()).push(block.address());
        }
        cachedBlocks++;
    }

    /** From now until {@link #endCapture}, allocations belong to a new graph pool. */
    synchronized GraphPool beginCapture() {
        if (capturing != null) {
            throw new IllegalStateException(device + ": a graph capture is already under way");
        }
        capturing = new GraphPool();
        return capturing;
    }

    /** Allocations go to the general cache again; the pool's blocks stay reserved until {@link #closePool}. */
    synchronized void endCapture() {
        capturing = null;
    }

    /** The graph is gone: the pool's free blocks join the general cache, the rest follow when released. */
    synchronized void closePool(GraphPool pool) {
        if (pool.closed) {
            return;
        }
        pool.closed = true;
        for (Map.Entry<Long, ArrayDeque<Long>> entry : pool.free.entrySet()) {
            for (long address : entry.getValue()) {
                poolOf.remove(address);
                cached.computeIfAbsent(entry.getKey(), s -> new ArrayDeque<>()).push(address);
            }
        }
        pool.free.clear();
    }

    /** Returns every cached block to the driver (as {@code torch.cuda.empty_cache()}). */
    synchronized void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> entry : cached.entrySet()) {
            for (long address : entry.getValue()) {
                memory.free(address);
                reservedBytes -= entry.getKey();
            }
        }
        cached.clear();
        cachedBlocks = 0;
    }

    synchronized MemoryStatistics statistics() {
        return new MemoryStatistics(allocatedBytes, reservedBytes, peakAllocatedBytes, inUse.size(), cachedBlocks);
    }

    /** Starts peak tracking again from the current allocation. */
    synchronized void resetPeak() {
        peakAllocatedBytes = allocatedBytes;
    }

    /** A byte count for people: 512 B, 1.5 KiB, 3.2 MiB, 79.1 GiB. */
    static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format("%.1f %s", value, units[unit]);
    }
}
