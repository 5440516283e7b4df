package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Data-parallel replicas take the steps full-batch training takes. */
class DistributedDataParallelTest {
    private static final int WORLD = 3;
    private static final int PER_REPLICA = 4;
    private static final int STEPS = 3;

    private static Sequential model(long seed) {
        Generator generator = new Generator(seed);
        return new Sequential(new Linear(5, 16, true, DType.FLOAT64, generator), new Tanh(), new Linear(16, 8, true, DType.FLOAT64, generator),
                new Tanh(), new Linear(8, 3, true, DType.FLOAT64, generator));
    }

    private static final NDArray INPUTS = NDArray.randn(DType.FLOAT64, new Generator(40), WORLD * PER_REPLICA, 5);
    private static final NDArray TARGETS = NDArray.of(java.util.stream.IntStream.range(0, WORLD * PER_REPLICA).map(i -> (i * 7) % 3).toArray(),
            WORLD * PER_REPLICA);

    private static double[] parametersOf(Module model) {
        List<Double> values = new ArrayList<>();
        model.parameters().forEach(p -> {
            for (double v : p.data().toDoubleArray()) {
                values.add(v);
            }
        });
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Plain gradient descent, p <- p - 0.5 grad (the optimizer is not what is tested here), then the gradients cleared. */
    private static void step(Module model) {
        for (var p : model.parameters()) {
            p.data().subi(p.grad().data().mul(0.5));
            p.zeroGrad();
        }
    }

    /** Rank 0's model trained on the whole batch: what every replica must end with. */
    private static double[] fullBatch() {
        Sequential model = model(100);   // rank 0's own weights, which the broadcast gives every replica
        for (int s = 0; s < STEPS; s++) {
            Losses.crossEntropy(model.forward(Tensor.of(INPUTS)), Tensor.of(TARGETS)).backward();
            step(model);
        }
        return parametersOf(model);
    }

    private static List<double[]> dataParallel(long bucketBytes, List<List<List<String>>> bucketsSeen) throws Exception {
        List<ProcessGroup> group = InProcessGroup.create(WORLD, Duration.ofSeconds(20));
        ExecutorService threads = Executors.newFixedThreadPool(WORLD);
        try {
            List<Future<double[]>> replicas = new ArrayList<>();
            for (ProcessGroup member : group) {
                replicas.add(threads.submit(() -> {
                    // each replica starts from weights of its own: the broadcast must replace them with rank 0's
                    try (DistributedDataParallel model = new DistributedDataParallel(model(100 + member.rank()), member, bucketBytes)) {
                        synchronized (bucketsSeen) {
                            bucketsSeen.add(model.buckets());
                        }
                        NDArray shard = INPUTS.narrow(0, member.rank() * PER_REPLICA, PER_REPLICA);
                        NDArray shardTargets = TARGETS.narrow(0, member.rank() * PER_REPLICA, PER_REPLICA);
                        for (int s = 0; s < STEPS; s++) {
                            Losses.crossEntropy(model.forward(Tensor.of(shard)), Tensor.of(shardTargets)).backward();
                            step(model);
                        }
                        return parametersOf(model.module());
                    }
                }));
            }
            List<double[]> results = new ArrayList<>();
            for (Future<double[]> replica : replicas) {
                results.add(replica.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void replicasOnShardsTakeTheFullBatchStepsInOneBucketOrMany() throws Exception {
        double[] expected = fullBatch();
        for (long bucketBytes : new long[] {DistributedDataParallel.DEFAULT_BUCKET_BYTES, 200}) {
            List<List<List<String>>> buckets = new ArrayList<>();
            List<double[]> replicas = dataParallel(bucketBytes, buckets);
            for (int rank = 0; rank < WORLD; rank++) {
                assertArrayEquals(expected, replicas.get(rank), 1e-12, "rank " + rank + ", buckets of " + bucketBytes + " bytes");
            }
            if (bucketBytes == 200) {
                assertTrue(buckets.get(0).size() > 3, "small buckets: " + buckets.get(0));
                // 4.bias (24 bytes) and 4.weight (192) do not fit one 200-byte bucket: the last layer's come first, one each
                assertEquals(List.of(List.of("4.bias"), List.of("4.weight")), buckets.get(0).subList(0, 2), "the last layer's gradients first");
            } else {
                assertEquals(1, buckets.get(0).size());
            }
        }
    }

    @Test
    void aReplicaThatStopsMakesTheOthersBackwardFailNamingIt() throws Exception {
        List<ProcessGroup> group = InProcessGroup.create(2, Duration.ofMillis(400));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<DistributedDataParallel> idle = threads.submit(() -> new DistributedDataParallel(model(1), group.get(1)));
            Future<Exception> training = threads.submit(() -> {
                DistributedDataParallel model = new DistributedDataParallel(model(0), group.get(0));
                try {
                    Losses.crossEntropy(model.forward(Tensor.of(INPUTS)), Tensor.of(TARGETS)).backward();
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            idle.get(20, TimeUnit.SECONDS);
            Exception failure = training.get(20, TimeUnit.SECONDS);
            assertTrue(failure instanceof CollectiveTimeoutException, String.valueOf(failure));
            assertEquals(List.of(1), ((CollectiveTimeoutException) failure).missingRanks());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aParameterLeftOutOfTheLossIsNamedAtTheNextForward() {
        Module partly = new Module() {
            final Linear used = registerModule("used", new Linear(5, 3, true, DType.FLOAT64, new Generator(1)));
            final Linear unused = registerModule("unused", new Linear(5, 3, true, DType.FLOAT64, new Generator(2)));

            @Override
            public Tensor forward(Tensor input) {
                return used.forward(input);
            }
        };
        DistributedDataParallel model = new DistributedDataParallel(partly, InProcessGroup.create(1, Duration.ofSeconds(5)).get(0), 60);
        Losses.crossEntropy(model.forward(Tensor.of(INPUTS)), Tensor.of(TARGETS)).backward();
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> model.forward(Tensor.of(INPUTS)));
        assertTrue(error.getMessage().contains("unused.weight") && error.getMessage().contains("unused.bias"), error.getMessage());
        model.close();
    }
}
