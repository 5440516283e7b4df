package dev.descent.distributed;

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
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's equivalence, in float64 over 20 steps of gradient descent: 2 and 4 in-process
 * replicas (without batch norm, and with SyncBatchNorm against BatchNorm1d), 2 replicas over TCP
 * (reducing on their communication threads), and a 2-stage pipeline
 * of 4 micro-batches, end with the parameters of one model trained on the combined batch, to 1e-12
 * relative.
 */
class DataParallelEquivalenceTest {
    private static final int STEPS = 20;
    private static final int BATCH = 24;
    private static final NDArray INPUTS = NDArray.randn(DType.FLOAT64, new Generator(50), BATCH, 5).mul(1.5).add(0.5);
    private static final NDArray TARGETS = NDArray.of(java.util.stream.IntStream.range(0, BATCH).map(i -> (i * 7) % 3).toArray(), BATCH);

    /** Linear, [norm], Tanh, Linear, Tanh, Linear; the norm made by {@code norm} (null: none). */
    private static Sequential model(long seed, java.util.function.Supplier<Module> norm) {
        Generator generator = new Generator(seed);
        List<Module> layers = new ArrayList<>(List.of(new Linear(5, 12, true, DType.FLOAT64, generator)));
        if (norm != null) {
            layers.add(norm.get());
        }
        layers.addAll(List.of(new Tanh(), new Linear(12, 8, true, DType.FLOAT64, generator), new Tanh(),
                new Linear(8, 3, true, DType.FLOAT64, generator)));
        return new Sequential(layers.toArray(new Module[0]));
    }

    private static void descend(Module model) {
        for (var p : model.parameters()) {
            p.data().subi(p.grad().data().mul(0.2));
            p.zeroGrad();
        }
    }

    private static double[] state(Module model) {
        List<Double> values = new ArrayList<>();
        for (Map.Entry<String, NDArray> entry : model.stateDict().entrySet()) {
            if (entry.getValue().dtype().isFloatingPoint()) {
                for (double v : entry.getValue().toDoubleArray()) {
                    values.add(v);
                }
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] oneModel(java.util.function.Supplier<Module> norm) {
        Sequential model = model(200, norm);
        for (int s = 0; s < STEPS; s++) {
            Losses.crossEntropy(model.forward(Tensor.of(INPUTS)), Tensor.of(TARGETS)).backward();
            descend(model);
        }
        return state(model);
    }

    /** How replica {@code rank} joins its group, on its own thread. */
    private interface Join {
        ProcessGroup member(int rank) throws Exception;
    }

    private static List<double[]> replicas(int world, BiFunction<Integer, ProcessGroup, Sequential> replica) throws Exception {
        List<ProcessGroup> group = InProcessGroup.create(world, Duration.ofSeconds(30));
        return replicas(world, group::get, DistributedDataParallel.DEFAULT_BUCKET_BYTES, replica);
    }

    private static List<double[]> replicas(int world, Join join, long bucketBytes, BiFunction<Integer, ProcessGroup, Sequential> replica)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(world);
        int shard = BATCH / world;
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (int rank = 0; rank < world; rank++) {
                int r = rank;
                futures.add(threads.submit(() -> {
                    ProcessGroup member = join.member(r);
                    Sequential local = replica.apply(member.rank(), member);
                    try (DistributedDataParallel model = new DistributedDataParallel(local, member, bucketBytes)) {
                        NDArray x = INPUTS.narrow(0, member.rank() * shard, shard);
                        NDArray y = TARGETS.narrow(0, member.rank() * shard, shard);
                        for (int s = 0; s < STEPS; s++) {
                            Losses.crossEntropy(model.forward(Tensor.of(x)), Tensor.of(y)).backward();
                            descend(model);
                        }
                        return state(local);
                    } finally {
                        if (member instanceof AutoCloseable closeable) {
                            closeable.close();
                        }
                    }
                }));
            }
            List<double[]> results = new ArrayList<>();
            for (Future<double[]> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    private static void assertRelative(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), what + ", value " + i);
        }
    }

    @Test
    void twoAndFourReplicasWithoutBatchNormTrainAsOneModelOnTheCombinedBatch() throws Exception {
        double[] expected = oneModel(null);
        for (int world : new int[] {2, 4}) {
            List<double[]> results = replicas(world, (rank, group) -> model(200 + rank, null));
            for (int rank = 0; rank < world; rank++) {
                assertRelative(expected, results.get(rank), world + " replicas, rank " + rank);
            }
        }
    }

    @Test
    void replicasInSeparateProcessesOverTcpTrainAsOneModel() throws Exception {
        double[] expected = oneModel(null);
        java.net.InetSocketAddress rendezvous;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            rendezvous = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
        // buckets of 512 bytes: several reductions in flight on the communication thread during each backward
        List<double[]> results = replicas(2, rank -> TcpProcessGroup.connect(rank, 2, rendezvous, Duration.ofSeconds(30)), 512,
                (rank, group) -> model(200 + rank, null));
        for (int rank = 0; rank < 2; rank++) {
            assertRelative(expected, results.get(rank), "2 replicas over TCP, rank " + rank);
        }
    }

    @Test
    void twoAndFourReplicasWithSyncBatchNormTrainAsOneModelWithBatchNormOnTheCombinedBatch() throws Exception {
        double[] expected = oneModel(() -> new BatchNorm1d(12, 1e-5, 0.1, true, true, DType.FLOAT64));
        for (int world : new int[] {2, 4}) {
            List<double[]> results = replicas(world, (rank, group) -> model(200 + rank,
                    () -> new SyncBatchNorm(12, 1e-5, 0.1, DType.FLOAT64, group)));
            for (int rank = 0; rank < world; rank++) {
                assertRelative(expected, results.get(rank), world + " replicas with SyncBatchNorm, rank " + rank);
            }
        }
    }

    @Test
    void aTwoStagePipelineOfFourMicroBatchesTrainsAsOneModel() {
        double[] expected = oneModel(null);
        Sequential model = model(200, null);
        try (Pipeline pipeline = new Pipeline(model, 3)) {
            for (int s = 0; s < STEPS; s++) {
                pipeline.step(Tensor.of(INPUTS), Tensor.of(TARGETS), 4, Losses::crossEntropy);
                descend(model);
            }
        }
        assertRelative(expected, state(model), "2 stages, 4 micro-batches");
    }

    @Test
    void replicasWhoseModelsDifferAreRefusedNamingTheFirstDifferingParameter() throws Exception {
        List<ProcessGroup> group = InProcessGroup.create(2, Duration.ofSeconds(10));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (ProcessGroup member : group) {
                futures.add(threads.submit(() -> {
                    Generator generator = new Generator(1);
                    Sequential local = new Sequential(new Linear(5, 4, true, DType.FLOAT64, generator),
                            new Linear(4, member.rank() == 0 ? 3 : 2, true, DType.FLOAT64, generator));
                    try {
                        new DistributedDataParallel(local, member).close();
                        return "no error";
                    } catch (IllegalArgumentException e) {
                        return e.getMessage();
                    }
                }));
            }
            for (Future<String> future : futures) {
                String message = future.get(30, TimeUnit.SECONDS);
                assertTrue(message.contains("the replicas' models differ at parameter '1.weight'"), message);
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
