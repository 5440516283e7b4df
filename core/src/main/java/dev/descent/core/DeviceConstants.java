package dev.descent.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 0-d operands of {@code x.mul(0.9)}, {@code x.addi(1e-8)} and friends on a device, kept per
 * (device, dtype, value): uploaded once, they spare a fill kernel before every scalar operation of
 * a training step (a sixth of its launches before this cache). Internal: the arrays are only ever
 * read by the elementwise kernels. The least recently used entries beyond {@value #LIMIT} per
 * program are dropped and left to the garbage collector.
 */
final class DeviceConstants {
    static final int LIMIT = 1024;

    private record Key(Device device, DType dtype, long bits) {
    }

    private static final Map<Key, NDArray> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, NDArray> eldest) {
            return size() > LIMIT;
        }
    };

    private DeviceConstants() {
    }

    /** A 0-d array of {@code dtype} holding {@code value} on {@code device} (not the CPU), never to be written. */
    static NDArray scalar(Device device, DType dtype, double value) {
        Key key = new Key(device, dtype, Double.doubleToRawLongBits(dtype == DType.FLOAT32 ? (float) value : value));
        synchronized (CACHE) {
            NDArray cached = CACHE.get(key);
            if (cached != null) {
                return cached;
            }
        }
        // made outside any memory scope of the caller: the constant outlives the step that first needs it; and uploaded,
        // not filled by a kernel, so that it never exists only as a kernel recorded into a graph that is then discarded
        NDArray made = MemoryScope.collect(() -> NDArray.scalar(dtype, value).to(device)).withoutOwner();
        synchronized (CACHE) {
            NDArray raced = CACHE.putIfAbsent(key, made);
            return raced != null ? raced : made;
        }
    }
}
