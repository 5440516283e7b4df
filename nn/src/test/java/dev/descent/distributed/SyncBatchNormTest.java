package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Data-parallel replicas with SyncBatchNorm train as one model with BatchNorm1d on the global batch. */
class SyncBatchNormTest {
    private static final int WORLD = 3;
    private static final int PER_REPLICA = 5;
    private static final int STEPS = 3;
    private static final NDArray INPUTS = NDArray.randn(DType.FLOAT64, new Generator(41), WORLD * PER_REPLICA, 5).mul(2).add(1);
    private static final NDArray TARGETS = NDArray.of(java.util.stream.IntStream.range(0, WORLD * PER_REPLICA).map(i -> (i * 5) % 3).toArray(),
            WORLD * PER_REPLICA);

    private static Sequential model(long seed, Module norm) {
        Generator generator = new Generator(seed);
        return new Sequential(new Linear(5, 8, true, DType.FLOAT64, generator), norm, new Tanh(), new Linear(8, 3, true, DType.FLOAT64, generator));
    }

    private static void step(Module model) {
        for (var p : model.parameters()) {
            p.data().subi(p.grad().data().mul(0.3));
            p.zeroGrad();
        }
    }

    private static double[] everything(Module model) {
        List<Double> values = new ArrayList<>();
        Map<String, NDArray> state = model.stateDict();
        state.forEach((name, array) -> {
            if (array.dtype().isFloatingPoint()) {
                for (double v : array.toDoubleArray()) {
                    values.add(v);
                }
            }
        });
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void replicasWithSyncBatchNormOnShardsMatchBatchNormOnTheGlobalBatchInWeightsAndRunningStatistics() throws Exception {
        Sequential reference = model(100, new BatchNorm1d(8, 1e-5, 0.1, true, true, DType.FLOAT64));
        for (int s = 0; s < STEPS; s++) {
            Losses.crossEntropy(reference.forward(Tensor.of(INPUTS)), Tensor.of(TARGETS)).backward();
            step(reference);
        }
        double[] expected = everything(reference);

        List<ProcessGroup> group = InProcessGroup.create(WORLD, Duration.ofSeconds(20));
        ExecutorService threads = Executors.newFixedThreadPool(WORLD);
        try {
            List<Future<double[]>> replicas = new ArrayList<>();
            for (ProcessGroup member : group) {
                replicas.add(threads.submit(() -> {
                    Sequential replica = model(100 + member.rank(), new SyncBatchNorm(8, 1e-5, 0.1, DType.FLOAT64, member));
                    try (DistributedDataParallel model = new DistributedDataParallel(replica, member)) {
                        NDArray shard = INPUTS.narrow(0, member.rank() * PER_REPLICA, PER_REPLICA);
                        NDArray shardTargets = TARGETS.narrow(0, member.rank() * PER_REPLICA, PER_REPLICA);
                        for (int s = 0; s < STEPS; s++) {
                            Losses.crossEntropy(model.forward(Tensor.of(shard)), Tensor.of(shardTargets)).backward();
                            step(model);
                        }
                        return everything(replica);
                    }
                }));
            }
            for (int rank = 0; rank < WORLD; rank++) {
                assertArrayEquals(expected, replicas.get(rank).get(60, TimeUnit.SECONDS), 1e-12, "rank " + rank);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void inEvaluationItUsesTheRunningStatisticsWithoutTheGroupAndNamesBadShapes() {
        ProcessGroup alone = InProcessGroup.create(1, Duration.ofSeconds(5)).get(0);
        SyncBatchNorm norm = new SyncBatchNorm(3, 1e-5, 0.1, DType.FLOAT64, alone);
        BatchNorm1d plain = new BatchNorm1d(3, 1e-5, 0.1, true, true, DType.FLOAT64);
        NDArray x = NDArray.randn(DType.FLOAT64, new Generator(3), 6, 3);
        norm.forward(Tensor.of(x));
        plain.forward(Tensor.of(x));
        norm.eval();
        plain.eval();
        assertArrayEquals(plain.forward(Tensor.of(x)).data().toDoubleArray(), norm.forward(Tensor.of(x)).data().toDoubleArray(), 1e-12);
        assertEquals(plain.stateDict().keySet(), norm.stateDict().keySet(), "BatchNorm1d's names");
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> norm.forward(Tensor.zeros(2, 4)));
        assertTrue(bad.getMessage().contains("expected an input of shape [N, 3], got [2, 4]"), bad.getMessage());
    }
}
