package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backend;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Capture and replay of device work: on a GPU when one is present, else on the emulated device, with the same rules. */
@ExtendWith(RealOrEmulatedGpu.class)
class CudaGraphTest {
    private static final Device GPU = Device.cuda(0);
    /** out = relu(x @ w) * mask, with a fresh Bernoulli mask from {@code generator}; temporaries released as a step's are. */
    private static void layer(NDArray x, NDArray w, NDArray out, Generator generator) {
        try (MemoryScope step = MemoryScope.open()) {
            NDArray mask = NDArray.empty(DType.FLOAT32, out.shape(), GPU);
            mask.backend().random(Backend.Distribution.BERNOULLI, 0.8, 1.25, generator, mask);
            out.copyFrom(x.matmul(w).relu().mul(mask).add(0.5));
        }
    }

    @Test
    void aReplayComputesWhatTheEagerWorkWouldOnTheNewInputsAndNewRandomDraws() {
        Generator data = new Generator(1);
        NDArray w = NDArray.randn(data, 6, 5).to(GPU);
        NDArray x = NDArray.empty(DType.FLOAT32, new int[] {4, 6}, GPU);
        NDArray out = NDArray.empty(DType.FLOAT32, new int[] {4, 5}, GPU);
        Generator replayed = new Generator(7);
        Generator eager = new Generator(7);
        layer(x.fill(0), w, out, new Generator(99));   // warm-up: its first run uploads the constants 0.5 and 1.25
        try (CudaGraph graph = CudaGraph.capture(GPU, () -> layer(x, w, out, replayed))) {
            assertTrue(graph.kernels() >= 4, "kernels: " + graph.kernels());
            NDArray expected = NDArray.empty(DType.FLOAT32, new int[] {4, 5}, GPU);
            float[] previous = null;
            for (int step = 0; step < 3; step++) {
                NDArray input = NDArray.randn(data, 4, 6).to(GPU);
                x.copyFrom(input);
                DeviceActivity before = DeviceActivity.of(GPU);
                graph.replay();
                DeviceActivity replay = DeviceActivity.of(GPU).minus(before);
                assertEquals(1, replay.kernelLaunches(), "one launch per replay: " + replay);
                layer(input, w, expected, eager);
                float[] actual = out.toFloatArray();
                assertArrayEquals(expected.toFloatArray(), actual, 0, "step " + step);
                if (previous != null) {
                    assertFalse(java.util.Arrays.equals(previous, actual), "new inputs and masks give new values");
                }
                previous = actual;
            }
        }
    }

    @Test
    void workThatReadsBackCannotBeCapturedAndLeavesTheDeviceUsable() {
        NDArray x = NDArray.ones(8).to(GPU);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CudaGraph.capture(GPU, () -> x.mul(2).sum().item()));
        assertTrue(e.getMessage().contains("cannot be captured") && e.getMessage().contains("read"), e.getMessage());
        assertEquals(16.0, x.mul(2).sum().item(), 0);
        IllegalStateException upload = assertThrows(IllegalStateException.class,
                () -> CudaGraph.capture(GPU, () -> NDArray.ones(3).to(GPU)));
        assertTrue(upload.getMessage().contains("upload"), upload.getMessage());
    }

    @Test
    void memoryTheGraphUsesIsNotHandedToOtherArraysUntilItIsClosed() {
        NDArray x = NDArray.ones(1000).to(GPU);
        NDArray[] inside = new NDArray[1];
        x.mul(3).add(1);   // warm-up: the constants are uploaded once, outside the capture
        CudaGraph graph = CudaGraph.capture(GPU, () -> {
            try (MemoryScope step = MemoryScope.open()) {
                NDArray temporary = x.mul(3);          // released when the step's scope closes, inside the capture
                inside[0] = temporary.add(1);
                step.keep(inside[0]);
            }
        });
        MemoryStatistics captured = CudaMemory.statistics(GPU);
        NDArray after = NDArray.empty(DType.FLOAT32, new int[] {1000}, GPU).fill(-1);   // same size class as the temporary
        graph.replay();
        assertArrayEquals(new float[] {4, 4, 4}, inside[0].narrow(0, 0, 3).toFloatArray(), 0);
        assertArrayEquals(new float[] {-1, -1, -1}, after.narrow(0, 0, 3).toFloatArray(), 0, "the graph's temporary kept its own block");
        assertTrue(CudaMemory.statistics(GPU).reservedBytes() > captured.reservedBytes(),
                "a new block for the array made after the capture");
        graph.close();
        assertThrows(IllegalStateException.class, graph::replay);
        CudaMemory.release(inside[0]);
        CudaMemory.release(after);
    }
}
