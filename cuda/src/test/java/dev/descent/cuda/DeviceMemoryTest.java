package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The memory rules of a CUDA device: on a GPU when one is present, else on the emulated device,
 * which must obey the same rules (so these tests run in CI without a GPU).
 */
@ExtendWith(RealOrEmulatedGpu.class)
class DeviceMemoryTest {
    private static final Device GPU = Device.cuda(0);
    @Test
    void memoryInUseStaysFlatAcrossRepeatedSteps() {
        Generator generator = new Generator(3);
        NDArray w = NDArray.rand(DType.FLOAT32, generator, 784, 512).to(GPU);
        NDArray x = NDArray.rand(DType.FLOAT32, generator, 128, 784).to(GPU);
        UnreachableArrays.release(GPU);
        MemoryStatistics before = null;
        for (int step = 0; step < 20; step++) {
            NDArray product = x.matmul(w);
            NDArray y = product.relu();
            NDArray total = y.sum();
            total.item();
            CudaMemory.release(product);
            CudaMemory.release(y);
            CudaMemory.release(total);
            if (step == 1) {
                before = CudaMemory.statistics(GPU);
            }
        }
        MemoryStatistics after = CudaMemory.statistics(GPU);
        assertEquals(before.allocatedBytes(), after.allocatedBytes(), before + " -> " + after);
        assertEquals(before.reservedBytes(), after.reservedBytes(), before + " -> " + after);
    }

    @Test
    void aReleasedArrayCannotBeReadOrComputedWith() {
        NDArray x = NDArray.ones(4).to(GPU);
        NDArray view = x.reshape(2, 2);
        CudaMemory.release(x);
        IllegalStateException read = assertThrows(IllegalStateException.class, view::toFloatArray);
        assertTrue(read.getMessage().contains("used after its memory was released"), read.getMessage());
        assertThrows(IllegalStateException.class, () -> x.add(1));
    }

    @Test
    void aClosedScopeReleasesWhatItMadeAndKeepsWhatItWasAskedTo() {
        NDArray kept;
        NDArray temporary;
        UnreachableArrays.release(GPU);
        MemoryStatistics before = CudaMemory.statistics(GPU);
        try (MemoryScope scope = MemoryScope.open()) {
            temporary = NDArray.ones(1000).to(GPU);
            kept = temporary.add(temporary);
            scope.keep(kept);
        }
        try (MemoryScope check = MemoryScope.open()) {
            assertEquals(2000.0, kept.sum().item(), 0);
        }
        assertThrows(IllegalStateException.class, temporary::toFloatArray);
        CudaMemory.release(kept);
        assertTrue(CudaMemory.statistics(GPU).blocksInUse() <= before.blocksInUse(), before + " -> " + CudaMemory.statistics(GPU));
    }

    @Test
    void countersSeeEveryCopyAndWait() {
        NDArray x = NDArray.ones(256).to(GPU);
        DeviceActivity before = DeviceActivity.of(GPU);
        NDArray y = x.mul(3).add(1);
        DeviceActivity computed = DeviceActivity.of(GPU).minus(before);
        assertTrue(computed.kernelLaunches() >= 2, computed.toString());
        assertEquals(0, computed.deviceToHostCopies(), computed.toString());
        assertEquals(0, computed.synchronizations(), computed.toString());
        y.toFloatArray();
        DeviceActivity read = DeviceActivity.of(GPU).minus(before);
        assertEquals(1, read.deviceToHostCopies(), read.toString());
        assertEquals(256 * 4, read.deviceToHostBytes(), read.toString());
        assertEquals(1, read.synchronizations(), read.toString());
        NDArray.ones(10).to(GPU);
        assertEquals(1, DeviceActivity.of(GPU).minus(before).hostToDeviceCopies());
    }
}
