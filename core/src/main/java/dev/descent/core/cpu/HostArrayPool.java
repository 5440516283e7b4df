package dev.descent.core.cpu;

import dev.descent.core.DType;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Host arrays given back before the garbage collector would find them, for the next allocation
 * of the same type and length. A training step makes the same shapes every time, so the
 * intermediate gradients one backward pass releases become the next step's arrays: fewer bytes
 * allocated per step, fewer young collections, and a default JVM's heap stays smaller (G1 grows
 * it when collections come often). Arrays come back zeroed, as new ones are. Small arrays are not
 * kept (allocating them costs less than the bookkeeping), and the pool holds at most {@link
 * #CAPACITY_BYTES}: beyond that a released array is left to the collector.
 */
final class HostArrayPool {
    /** Arrays shorter than this are not pooled. */
    static final int MIN_LENGTH = 1024;
    /** The most the pool holds, over every type and length. */
    static final long CAPACITY_BYTES = 32L << 20;
    /** The most arrays of one type and length it holds. */
    static final int PER_SIZE = 16;

    private static final Map<Long, ArrayDeque<Object>> FREE = new HashMap<>();
    private static long heldBytes;

    private HostArrayPool() {
    }

    /** A zeroed array of {@code dtype} and {@code length} from the pool, or null when none is free. */
    static Object take(DType dtype, int length) {
        if (length < MIN_LENGTH) {
            return null;
        }
        Object array;
        synchronized (FREE) {
            ArrayDeque<Object> free = FREE.get(key(dtype, length));
            array = free == null ? null : free.poll();
            if (array == null) {
                return null;
            }
            heldBytes -= (long) length * dtype.byteSize();
        }
        switch (dtype) {
            case FLOAT32 -> Arrays.fill((float[]) array, 0f);
            case FLOAT64 -> Arrays.fill((double[]) array, 0d);
            case INT32 -> Arrays.fill((int[]) array, 0);
        }
        return array;
    }

    /** Keeps {@code array} ({@code dtype}'s Java array, which nothing else refers to) for a later {@link #take}. */
    static void give(DType dtype, Object array, int length) {
        if (length < MIN_LENGTH) {
            return;
        }
        long size = (long) length * dtype.byteSize();
        synchronized (FREE) {
            ArrayDeque<Object> free = FREE.computeIfAbsent(key(dtype, length), k -> new ArrayDeque<>());
            if (free.size() < PER_SIZE && heldBytes + size <= CAPACITY_BYTES) {
                free.push(array);
                heldBytes += size;
            }
        }
    }

    /** The bytes the pool holds now. */
    static long heldBytes() {
        synchronized (FREE) {
            return heldBytes;
        }
    }

    /** Empties the pool (for tests). */
    static void clear() {
        synchronized (FREE) {
            FREE.clear();
            heldBytes = 0;
        }
    }

    private static long key(DType dtype, int length) {
        return ((long) dtype.ordinal() << 32) | length;
    }
}
