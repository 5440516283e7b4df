package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.distributed.DistributedDataParallel;
import dev.descent.distributed.SyncBatchNorm;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * Issue 22's equivalence through Spark: 2 barrier tasks under {@code local[2]}, joined by
 * {@link SparkRendezvous} into a TCP group and wrapped in {@link DistributedDataParallel}, end 20
 * float64 steps of gradient descent with the parameters of one model trained on the combined
 * batch (and, with SyncBatchNorm, the parameters and running statistics of one model with
 * BatchNorm1d), to 1e-12 relative (as nn's DataParallelEquivalenceTest checks the in-process group).
 */
class SparkDataParallelTest {
    private static final int STEPS = 20;
    private static final int BATCH = 24;
    private static final int WORLD = 2;

    private static NDArray inputs() {
        return NDArray.randn(DType.FLOAT64, new Generator(50), BATCH, 5).mul(1.5).add(0.5);
    }

    private static NDArray targets() {
        return NDArray.of(IntStream.range(0, BATCH).map(i -> (i * 7) % 3).toArray(), BATCH);
    }

    /**
     * Linear, [norm], Tanh, Linear, Tanh, Linear in float64; each replica's own seed (rank 0's
     * weights are broadcast); {@code norm} null for none.
     */
    private static Sequential model(long seed, Module norm) {
        Generator generator = new Generator(seed);
        List<Module> layers = new ArrayList<>(List.of(new Linear(5, 12, true, DType.FLOAT64, generator)));
        if (norm != null) {
            layers.add(norm);
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

    /** Every floating-point value of the state dict: parameters, and batch norm's running statistics. */
    private static double[] parameters(Module model) {
        List<Double> values = new ArrayList<>();
        for (NDArray array : model.stateDict().values()) {
            if (!array.dtype().isFloatingPoint()) {
                continue;
            }
            for (double v : array.toDoubleArray()) {
                values.add(v);
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void aReplicaThatFailsInEveryAttemptEndsTheJobAfterTheBoundedNumberOfAttempts() {
        try (JavaSparkContext spark = SparkContexts.start("local[" + WORLD + "]", "descent failure test", Duration.ofSeconds(30))) {
            Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> SparkReplicaJob.run(spark, WORLD,
                    Duration.ofSeconds(30), replica -> {
                        if (replica.rank() == 1) {
                            throw new IllegalStateException("replica 1 fails in attempt " + replica.stageAttempt());
                        }
                        replica.group().barrier();   // rank 0 waits for rank 1, whose closed connection ends the wait
                        return replica.stageAttempt();
                    }));
            // the last reason Spark gives is whichever task of the last attempt it saw fail first: replica 1's own
            // error, or rank 0's, whose connection to replica 1 closed
            String message = failure.getMessage();
            org.junit.jupiter.api.Assertions.assertTrue(message.contains("failed the maximum allowable number of times: "
                    + SparkContexts.STAGE_ATTEMPTS) && (message.contains("replica 1 fails in attempt " + (SparkContexts.STAGE_ATTEMPTS - 1))
                    || message.contains("barrier task ShuffleMapTask(0, 0) finished unsuccessfully")), message);
        }
    }

    @Test
    void twoSparkTasksTrainAsOneModelOnTheCombinedBatch() {
        assertEquivalent(false);
    }

    @Test
    void twoSparkTasksWithSyncBatchNormTrainAsOneModelWithBatchNormOnTheCombinedBatch() {
        assertEquivalent(true);
    }

    private static void assertEquivalent(boolean syncBatchNorm) {
        Sequential one = model(200, syncBatchNorm ? new BatchNorm1d(12, 1e-5, 0.1, true, true, DType.FLOAT64) : null);
        for (int s = 0; s < STEPS; s++) {
            Losses.crossEntropy(one.forward(Tensor.of(inputs())), Tensor.of(targets())).backward();
            descend(one);
        }
        double[] expected = parameters(one);

        List<double[]> replicas;
        try (JavaSparkContext spark = SparkContexts.start("local[" + WORLD + "]", "descent equivalence test", Duration.ofSeconds(30))) {
            replicas = SparkReplicaJob.run(spark, WORLD, Duration.ofSeconds(30), replica -> {
                int shard = BATCH / replica.worldSize();
                NDArray x = inputs().narrow(0, replica.rank() * shard, shard);
                NDArray y = targets().narrow(0, replica.rank() * shard, shard);
                Sequential local = model(200 + replica.rank(),
                        syncBatchNorm ? new SyncBatchNorm(12, 1e-5, 0.1, DType.FLOAT64, replica.group()) : null);
                try (DistributedDataParallel model = new DistributedDataParallel(local, replica.group())) {
                    for (int s = 0; s < STEPS; s++) {
                        Losses.crossEntropy(model.forward(Tensor.of(x)), Tensor.of(y)).backward();
                        descend(model);
                    }
                }
                return parameters(local);
            });
        }
        String what = syncBatchNorm ? "with SyncBatchNorm, " : "";
        assertEquals(WORLD, replicas.size());
        for (int rank = 0; rank < WORLD; rank++) {
            double[] actual = replicas.get(rank);
            assertEquals(expected.length, actual.length, what + "rank " + rank);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), what + "rank " + rank + ", value " + i);
            }
        }
    }
}
