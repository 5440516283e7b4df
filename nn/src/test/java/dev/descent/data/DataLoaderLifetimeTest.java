package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import dev.descent.cuda.CudaMemory;
import dev.descent.cuda.EmulatedGpu;
import dev.descent.cuda.MemoryStatistics;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batch belongs to the step that uses it, whatever the loader's settings: on the emulated
 * cuda:0 (real CUDA memory rules) a training loop that opens a memory scope per step must be able
 * to use every batch, and the device memory in use must not grow from step to step. (Arrays other
 * tests left to the garbage collector may be released meanwhile, so the checks allow a fall.)
 */
@ExtendWith(EmulatedGpu.class)
class DataLoaderLifetimeTest {
    private static final Device CUDA = Device.cuda(0);

    private static TensorDataset stagedDataset() {
        Generator generator = new Generator(5);
        NDArray images = NDArray.randn(generator, 50, 6);
        int[] labels = new int[50];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3;
        }
        return new TensorDataset(images, NDArray.of(labels)).to(CUDA);
    }

    @ParameterizedTest(name = "prefetch {0}")
    @ValueSource(booleans = {false, true})
    void everyBatchOutlivesTheStepBeforeItAndDiesWithItsOwn(boolean prefetch) {
        DataLoader loader = new DataLoader(stagedDataset(), 8).shuffle(new Generator(1)).prefetch(prefetch);
        for (int epoch = 0; epoch < 3; epoch++) {
            MemoryStatistics beforeEpoch = CudaMemory.statistics(CUDA);
            MemoryStatistics afterFirstStep = null;
            int step = 0;
            for (var batches = loader.iterator(); batches.hasNext(); step++) {
                try (MemoryScope scope = MemoryScope.open()) {
                    Batch batch = batches.next();
                    // use both fields on the device, as a forward pass and a loss would
                    double total = batch.input().data().sum().item() + batch.target().data().astype(DType.FLOAT32).sum().item();
                    assertEquals(false, Double.isNaN(total));
                    assertEquals(CUDA, batch.input().device());
                }
                MemoryStatistics now = CudaMemory.statistics(CUDA);
                if (step == 0) {
                    afterFirstStep = now;
                } else if (!prefetch && batches.hasNext()) {
                    // (with prefetch the next batch may or may not be made yet; the last batch, 50 = 6 x 8 + 2, has other size classes)
                    assertTrue(now.blocksInUse() <= afterFirstStep.blocksInUse(), "step " + step + ": " + afterFirstStep + " -> " + now);
                }
            }
            assertEquals(7, step);
            MemoryStatistics afterEpoch = CudaMemory.statistics(CUDA);
            // (the first epoch may make the device's counters of deferred index checks, which live on)
            assertTrue(epoch == 0 || afterEpoch.blocksInUse() <= beforeEpoch.blocksInUse(), "epoch " + epoch + ": " + beforeEpoch + " -> " + afterEpoch);
        }
    }
}
