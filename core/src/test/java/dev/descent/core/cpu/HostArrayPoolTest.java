package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Released host storages lend their arrays to the next allocation of the same type and length, zeroed. */
class HostArrayPoolTest {
    private final Random random = new Random(9);

    @BeforeEach
    void emptyPool() {
        HostArrayPool.clear();
    }

    @Test
    void aReleasedArrayComesBackZeroedForTheSameTypeAndLength() {
        for (DType dtype : DType.values()) {
            int length = HostArrayPool.MIN_LENGTH + random.nextInt(5000);
            CpuStorage first = CpuStorage.allocate(dtype, length);
            Object array = first.array();
            for (int i = 0; i < length; i++) {
                first.set(i, 1 + random.nextInt(100));
            }
            first.release();
            assertNull(first.array(), "a released storage keeps no array");
            assertNotSame(array, CpuStorage.allocate(dtype, length + 1).array(), "another length gets a new array");
            CpuStorage second = CpuStorage.allocate(dtype, length);
            assertSame(array, second.array(), dtype + ": the released array is reused");
            for (int i = 0; i < length; i++) {
                assertEquals(0, second.get(i), dtype + " element " + i);
            }
        }
        assertEquals(0, HostArrayPool.heldBytes());
    }

    @Test
    void wrappedArraysAreNeverPooled() {
        float[] mine = new float[2 * HostArrayPool.MIN_LENGTH];
        Arrays.fill(mine, 7f);
        CpuStorage wrapped = CpuStorage.wrap(mine);
        wrapped.release();
        assertSame(mine, wrapped.array(), "releasing a wrapped array does nothing");
        assertEquals(0, HostArrayPool.heldBytes());
        assertNotSame(mine, CpuStorage.allocate(DType.FLOAT32, mine.length).array());
        float[] expected = new float[mine.length];
        Arrays.fill(expected, 7f);
        assertArrayEquals(expected, mine, 0f);
    }

    @Test
    void releaseIsIdempotentAndSmallArraysAreLeftToTheCollector() {
        CpuStorage storage = CpuStorage.allocate(DType.FLOAT64, HostArrayPool.MIN_LENGTH);
        storage.release();
        storage.release();
        assertEquals(8L * HostArrayPool.MIN_LENGTH, HostArrayPool.heldBytes(), "held once");
        CpuStorage small = CpuStorage.allocate(DType.FLOAT32, HostArrayPool.MIN_LENGTH - 1);
        small.release();
        assertEquals(8L * HostArrayPool.MIN_LENGTH, HostArrayPool.heldBytes());
    }

    @Test
    void thePoolStaysWithinItsBounds() {
        int length = 1 << 16;
        for (int i = 0; i < 2 * HostArrayPool.PER_SIZE; i++) {
            CpuStorage.allocate(DType.FLOAT32, length).release();
        }
        assertTrue(HostArrayPool.heldBytes() <= 4L * length * HostArrayPool.PER_SIZE, "at most PER_SIZE arrays of one length");
        int big = (int) (HostArrayPool.CAPACITY_BYTES / 8 / 3);
        for (int i = 0; i < 6; i++) {
            CpuStorage.allocate(DType.FLOAT64, big + i).release();   // six lengths of a third of the capacity each
        }
        assertTrue(HostArrayPool.heldBytes() <= HostArrayPool.CAPACITY_BYTES, "held " + HostArrayPool.heldBytes());
        assertNotNull(CpuStorage.allocate(DType.FLOAT64, big).array());
        HostArrayPool.clear();
    }
}
