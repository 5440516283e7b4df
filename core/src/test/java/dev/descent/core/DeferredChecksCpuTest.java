package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** On the CPU a deferred range check has nothing to defer: it counts and fails at once, skipping the ignored value. */
class DeferredChecksCpuTest {
    @Test
    void outOfRangeIndicesOnTheCpuFailAtOnceWithTheirCount() {
        NDArray index = NDArray.of(new int[] {0, 3, -1, -100, 2});
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> DeferredChecks.requireInRange("test", index, 3,
                -100, count -> new IndexOutOfBoundsException(count + " outside")));
        assertEquals("2 outside", e.getMessage());
        DeferredChecks.requireInRange("test", NDArray.of(new int[] {0, 2, -100}), 3, -100, count -> new IllegalStateException("unexpected"));
    }
}
