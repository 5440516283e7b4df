package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.cuda.EmulatedGpu;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Parameter;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Data-parallel replicas whose parameters live on a GPU, on the emulated device (CUDA's memory
 * rules, the CPU's kernels): the gradients are reduced where they are, and two replicas on the
 * device train as one CPU model on the combined batch.
 */
@ExtendWith(EmulatedGpu.class)
class DataParallelOnDevicesTest {
    private static final Device CUDA = Device.cuda(0);
    private static final int BATCH = 16;
    private static final int STEPS = 5;

    private static Sequential model() {
        Generator generator = new Generator(21);
        return new Sequential(new Linear(4, 8, true, DType.FLOAT64, generator), new Tanh(), new Linear(8, 3, true, DType.FLOAT64, generator));
    }

    private static void descend(Sequential model) {
        for (Parameter p : model.parameters()) {
            p.data().subi(p.grad().data().mul(0.3));
            p.zeroGrad();
        }
    }

    @Test
    void twoReplicasOnTheGpuTrainAsOneModelOnTheCombinedBatch() throws Exception {
        NDArray inputs = NDArray.randn(DType.FLOAT64, new Generator(22), BATCH, 4);
        NDArray targets = NDArray.of(java.util.stream.IntStream.range(0, BATCH).map(i -> i % 3).toArray(), BATCH);
        Sequential reference = model();
        for (int s = 0; s < STEPS; s++) {
            Losses.crossEntropy(reference.forward(Tensor.of(inputs)), Tensor.of(targets)).backward();
            descend(reference);
        }
        List<ProcessGroup> group = InProcessGroup.create(2, Duration.ofSeconds(30));
        List<Callable<List<double[]>>> replicas = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            ProcessGroup member = group.get(r);
            replicas.add(() -> {
                Sequential local = model();
                local.to(CUDA);
                try (DistributedDataParallel wrapped = new DistributedDataParallel(local, member)) {
                    NDArray x = inputs.narrow(0, member.rank() * BATCH / 2, BATCH / 2).to(CUDA);
                    NDArray y = targets.narrow(0, member.rank() * BATCH / 2, BATCH / 2).to(CUDA);
                    for (int s = 0; s < STEPS; s++) {
                        Losses.crossEntropy(wrapped.forward(Tensor.of(x)), Tensor.of(y)).backward();
                        descend(local);
                    }
                }
                List<double[]> values = new ArrayList<>();
                for (Parameter p : local.parameters()) {
                    assertEquals(CUDA, p.device());
                    values.add(p.data().to(Device.CPU).toDoubleArray());
                }
                return values;
            });
        }
        List<List<double[]>> results = OnThreads.run(replicas);
        for (List<double[]> result : results) {
            for (int i = 0; i < result.size(); i++) {
                assertArrayEquals(reference.parameters().get(i).data().toDoubleArray(), result.get(i), 1e-12, "parameter " + i);
            }
        }
    }
}
