package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Device;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Index checks on a device are counted there and reported at the next read, which a step without reads never waits for. */
@ExtendWith(EmulatedGpu.class)
class DeferredChecksTest {
    private static final Device GPU = Device.cuda(0);

    @Test
    void anOutOfRangeIndexOnTheDeviceIsReportedAtTheNextReadAndOnlyOnce() {
        NDArray x = NDArray.of(new float[] {1, 2, 3}).to(GPU);
        NDArray good = NDArray.of(new int[] {2, 0}).to(GPU);
        NDArray bad = NDArray.of(new int[] {0, 5, -1}).to(GPU);
        DeviceActivity before = DeviceActivity.of(GPU);
        NDArray fine = x.indexSelect(0, good);
        NDArray wrong = x.indexSelect(0, bad);   // no exception yet: checking would read the indices back
        assertTrue(DeviceActivity.of(GPU).minus(before).deviceToHostCopies() == 0);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, fine::toFloatArray);
        assertTrue(e.getMessage().startsWith("indexSelect: 2 index value(s) on cuda:0 out of range for dimension 0 of size 3"), e.getMessage());
        // reported once: the device stays usable
        assertArrayEquals(new float[] {3, 1}, fine.toFloatArray(), 0);
        assertTrue(wrong.size() == 3);
    }

    @Test
    void onTheCpuTheSameIndexFailsAtOnce() {
        NDArray x = NDArray.of(new float[] {1, 2, 3});
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, NDArray.of(new int[] {3})));
        assertTrue(e.getMessage().contains("index 3 is out of range for dimension 0 of size 3"), e.getMessage());
    }
}
