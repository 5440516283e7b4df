package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CachingAllocatorTest {

    /** A device of {@code capacity} bytes that counts driver calls. */
    static final class FakeMemory implements DeviceMemory {
        final long capacity;
        long used;
        long next = 0x10000;
        int allocations;
        int frees;
        final java.util.Map<Long, Long> live = new java.util.HashMap<>();

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long allocate(long bytes) {
            if (used + bytes > capacity) {
                return 0;
            }
            allocations++;
            used += bytes;
            long address = next;
            next += bytes + 4096;
            live.put(address, bytes);
            return address;
        }

        @Override
        public void free(long address) {
            frees++;
            used -= live.remove(address);
        }

        @Override
        public long freeBytes() {
            return capacity - used;
        }

        @Override
        public long totalBytes() {
            return capacity;
        }
    }

    @Test
    void sizeClassesRoundTo512BytesAndAbove1MiBTo2MiB() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1L << 20, CachingAllocator.sizeClass(1L << 20));
        assertEquals(2L << 20, CachingAllocator.sizeClass((1L << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.sizeClass((2L << 20) + 1));
        Random random = new Random(3);
        for (int i = 0; i < 1000; i++) {
            long bytes = random.nextInt(1 << 24);
            long size = CachingAllocator.sizeClass(bytes);
            assertTrue(size >= bytes && size - bytes < (bytes > (1 << 20) ? 2L << 20 : 512), bytes + " -> " + size);
        }
    }

    @Test
    void aTrainingLoopReachesTheDriverOnlyInItsFirstStep() {
        FakeMemory memory = new FakeMemory(1L << 30);
        CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        long[] stepSizes = {128 * 784 * 4, 128 * 512 * 4, 128 * 512 * 4, 512 * 4, 128 * 10 * 4, 4};
        MemoryStatistics afterFirst = null;
        for (int step = 0; step < 50; step++) {
            List<CachingAllocator.Block> blocks = new ArrayList<>();
            for (long bytes : stepSizes) {
                blocks.add(allocator.allocate(bytes));
            }
            blocks.forEach(allocator::release);
            if (step == 0) {
                afterFirst = allocator.statistics();
            }
        }
        assertEquals(stepSizes.length, memory.allocations);
        assertEquals(0, memory.frees);
        MemoryStatistics last = allocator.statistics();
        assertEquals(0, last.allocatedBytes());
        assertEquals(afterFirst.reservedBytes(), last.reservedBytes());
        assertEquals(afterFirst.peakAllocatedBytes(), last.peakAllocatedBytes());
    }

    @Test
    void statisticsCountLiveCachedAndPeakBytes() {
        CachingAllocator allocator = new CachingAllocator("cuda:0", new FakeMemory(1L << 30));
        CachingAllocator.Block a = allocator.allocate(1000);   // 1024
        CachingAllocator.Block b = allocator.allocate(3 << 20); // 4 MiB
        assertEquals(1024 + (4L << 20), allocator.statistics().allocatedBytes());
        allocator.release(b);
        MemoryStatistics s = allocator.statistics();
        assertEquals(1024, s.allocatedBytes());
        assertEquals(1024 + (4L << 20), s.reservedBytes());
        assertEquals(1024 + (4L << 20), s.peakAllocatedBytes());
        assertEquals(1, s.blocksInUse());
        assertEquals(1, s.cachedBlocks());
        allocator.resetPeak();
        assertEquals(1024, allocator.statistics().peakAllocatedBytes());
        allocator.release(a);
        allocator.emptyCache();
        assertEquals(0, allocator.statistics().reservedBytes());
    }

    @Test
    void blocksInUseNeverShareAnAddress() {
        CachingAllocator allocator = new CachingAllocator("cuda:0", new FakeMemory(1L << 32));
        Random random = new Random(11);
        List<CachingAllocator.Block> live = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            if (!live.isEmpty() && random.nextBoolean()) {
                allocator.release(live.remove(random.nextInt(live.size())));
            } else {
                live.add(allocator.allocate(random.nextInt(1 << 22)));
            }
            Set<Long> addresses = new HashSet<>();
            for (CachingAllocator.Block block : live) {
                assertTrue(addresses.add(block.address()), "address handed out twice");
            }
        }
        long expected = live.stream().mapToLong(CachingAllocator.Block::bytes).sum();
        assertEquals(expected, allocator.statistics().allocatedBytes());
    }

    @Test
    void outOfMemoryFreesTheCacheAndRetriesOnce() {
        FakeMemory memory = new FakeMemory(8L << 20);
        CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        CachingAllocator.Block big = allocator.allocate(6L << 20);
        allocator.release(big);  // cached: 6 MiB reserved, the device has 2 MiB free
        CachingAllocator.Block other = allocator.allocate(4L << 20);  // another class: needs the cache back
        assertEquals(1, memory.frees);
        assertEquals(4L << 20, allocator.statistics().reservedBytes());
        assertNotEquals(0, other.address());
    }

    @Test
    void outOfMemoryAfterTheRetryReportsRequestedAndFreeBytes() {
        FakeMemory memory = new FakeMemory(8L << 20);
        CachingAllocator allocator = new CachingAllocator("cuda:0", memory);
        allocator.allocate(6L << 20);
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> allocator.allocate(4L << 20));
        assertEquals(4L << 20, e.requestedBytes());
        assertEquals(2L << 20, e.freeBytes());
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("4.0 MiB") && e.getMessage().contains("2.0 MiB free"),
                e.getMessage());
    }

    @Test
    void releasingABlockTwiceIsAnError() {
        CachingAllocator allocator = new CachingAllocator("cuda:0", new FakeMemory(1L << 20));
        CachingAllocator.Block block = allocator.allocate(100);
        allocator.release(block);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.release(block));
        assertTrue(e.getMessage().contains("released twice"), e.getMessage());
    }

    @Test
    void describesByteCountsInBinaryUnits() {
        assertEquals("512 B", CachingAllocator.describe(512));
        assertEquals("1.5 KiB", CachingAllocator.describe(1536));
        assertEquals("79.1 GiB", CachingAllocator.describe((long) (79.1 * (1L << 30))));
    }
}
