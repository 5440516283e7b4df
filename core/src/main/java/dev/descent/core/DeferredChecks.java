package dev.descent.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Argument checks on values that live on a device, such as "every class index is below the
 * number of classes". Checking them at once would read the values back every step and make the
 * host wait for the device; instead the number of violations is added up on the device and
 * examined at the next read from that device (any {@code item()}, {@code toFloatArray()},
 * {@code to(Device.CPU)}), which throws the check's exception. PyTorch reports the same errors
 * asynchronously as a "device-side assert"; here the exception says which operation failed and how
 * often, and the device stays usable.
 *
 * <pre>{@code
 * DeferredChecks.requireInRange("class indices, 10 classes", targets, 10, -100,
 *         count -> new IndexOutOfBoundsException("targets: " + count + " class index(es) out of range"));
 * }</pre>
 *
 * On the CPU a check is evaluated at once.
 */
public final class DeferredChecks {
    /** One check's counter on one device; {@code added} tells whether a read must look at it. */
    private static final class Pending {
        final NDArray violations;
        final LongFunction<? extends RuntimeException> failure;
        volatile boolean added;

        Pending(NDArray violations, LongFunction<? extends RuntimeException> failure) {
            this.violations = violations;
            this.failure = failure;
        }
    }

    private static final Map<Device, Map<String, Pending>> PENDING = new ConcurrentHashMap<>();

    private DeferredChecks() {
    }

    /**
     * Checks that every element of the INT32 array {@code index} lies in [0, size), except those
     * equal to {@code ignore} (pass 0 when nothing is ignored). On a device the out-of-range
     * elements are counted there, in the counter named {@code key} (one per key and device: put
     * what the message depends on into the key), and a later read that finds the count above zero
     * throws {@code failure.apply(count)} and starts the count again. On the CPU it is checked at
     * once.
     */
    public static void requireInRange(String key, NDArray index, int size, int ignore, LongFunction<? extends RuntimeException> failure) {
        Device device = index.device();
        if (device.type() == Device.Type.CPU) {
            NDArray outside = NDArray.scalar(DType.FLOAT64, 0);
            index.backend().countOutOfRange(index, size, ignore, outside);
            if (outside.item() > 0) {
                throw failure.apply((long) outside.item());
            }
            return;
        }
        Pending pending = PENDING.computeIfAbsent(device, d -> new ConcurrentHashMap<>()).computeIfAbsent(key,
                // uploaded rather than filled by a kernel, which a graph capture would only record
                k -> new Pending(MemoryScope.collect(() -> NDArray.scalar(DType.FLOAT64, 0).to(device)).withoutOwner(), failure));
        index.backend().countOutOfRange(index, size, ignore, pending.violations);
        pending.added = true;
    }

    /** Throws the exception of the first check on {@code device} that counted a violation since the last read. */
    static void verify(Device device) {
        Map<String, Pending> checks = PENDING.get(device);
        if (checks == null) {
            return;
        }
        for (Pending pending : checks.values()) {
            if (!pending.added) {
                continue;   // nothing counted since the last read: no copy needed
            }
            pending.added = false;
            double total = ((double[]) pending.violations.backend().download(pending.violations))[0];
            if (total > 0) {
                pending.violations.fill(0);
                throw pending.failure.apply((long) total);
            }
        }
    }
}
