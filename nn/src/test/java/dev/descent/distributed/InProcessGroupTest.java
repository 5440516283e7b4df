package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The in-process collectives against their definitions, on random world sizes, shapes and values. */
class InProcessGroupTest {
    /** Runs {@code work} on every member of a new group, one thread each; returns each member's result by rank. */
    private static <T> List<T> onEveryMember(int worldSize, Duration timeout, Function<ProcessGroup, T> work) throws Exception {
        List<java.util.concurrent.Callable<T>> tasks = new ArrayList<>();
        for (ProcessGroup member : InProcessGroup.create(worldSize, timeout)) {
            tasks.add(() -> work.apply(member));
        }
        return OnThreads.run(tasks);
    }

    private static NDArray valuesOf(int rank, int seed, int[] shape) {
        return NDArray.randn(DType.FLOAT64, new Generator(seed * 131L + rank), shape);
    }

    @Test
    void allReduceSumsMeansAndExtremesEveryElementIdenticallyOnEveryMember() throws Exception {
        Generator random = new Generator(1);
        for (int trial = 0; trial < 6; trial++) {
            int worldSize = 1 + random.nextInt(5);
            int[] shape = {1 + random.nextInt(4), 1 + random.nextInt(5)};
            int seed = trial;
            for (ReduceOp op : ReduceOp.values()) {
                List<double[]> results = onEveryMember(worldSize, Duration.ofSeconds(20), member -> {
                    NDArray buffer = valuesOf(member.rank(), seed, shape);
                    member.allReduce(buffer, op);
                    return buffer.toDoubleArray();
                });
                double[] expected = new double[shape[0] * shape[1]];
                for (int i = 0; i < expected.length; i++) {
                    double value = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : op == ReduceOp.MIN ? Double.POSITIVE_INFINITY : 0;
                    for (int rank = 0; rank < worldSize; rank++) {
                        double x = valuesOf(rank, seed, shape).toDoubleArray()[i];
                        value = switch (op) {
                            case SUM, MEAN -> value + x;
                            case MAX -> Math.max(value, x);
                            case MIN -> Math.min(value, x);
                        };
                    }
                    expected[i] = op == ReduceOp.MEAN ? value / worldSize : value;
                }
                for (int rank = 0; rank < worldSize; rank++) {
                    assertArrayEquals(expected, results.get(rank), 0, op + " on rank " + rank + " of " + worldSize);
                }
            }
        }
    }

    @Test
    void broadcastCopiesTheRootsArrayAndAllGatherCollectsEveryMembersInRankOrder() throws Exception {
        int worldSize = 4;
        int[] shape = {3, 2};
        for (int root = 0; root < worldSize; root++) {
            int from = root;
            List<double[]> results = onEveryMember(worldSize, Duration.ofSeconds(20), member -> {
                NDArray buffer = valuesOf(member.rank(), 7, shape).astype(DType.FLOAT32);
                member.broadcast(buffer, from);
                assertEquals(DType.FLOAT32, buffer.dtype());
                return buffer.toDoubleArray();
            });
            double[] expected = valuesOf(root, 7, shape).astype(DType.FLOAT32).toDoubleArray();
            results.forEach(result -> assertArrayEquals(expected, result, 0));
        }
        List<NDArray[]> gathered = onEveryMember(worldSize, Duration.ofSeconds(20), member -> member.allGather(valuesOf(member.rank(), 9, shape)));
        for (NDArray[] all : gathered) {
            for (int rank = 0; rank < worldSize; rank++) {
                assertArrayEquals(valuesOf(rank, 9, shape).toDoubleArray(), all[rank].toDoubleArray(), 0);
            }
        }
    }

    @Test
    void aMemberThatNeverArrivesFailsTheCollectiveOnEveryOtherNamingItWithinTheTimeout() throws Exception {
        List<ProcessGroup> group = InProcessGroup.create(3, Duration.ofMillis(300));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            long start = System.nanoTime();
            List<Future<?>> waiting = new ArrayList<>();
            for (int rank = 0; rank < 2; rank++) {
                ProcessGroup member = group.get(rank);
                waiting.add(threads.submit(() -> member.allReduce(NDArray.ones(4), ReduceOp.SUM)));
            }
            for (Future<?> future : waiting) {
                ExecutionException failure = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
                CollectiveTimeoutException timeout = (CollectiveTimeoutException) failure.getCause();
                assertEquals(List.of(2), timeout.missingRanks());
                assertTrue(timeout.getMessage().contains("rank(s) [2] of 3 did not join within 300 ms"), timeout.getMessage());
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "no hang");
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> group.get(2).barrier());
            assertTrue(late.getMessage().contains("the group is broken"), late.getMessage());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void membersThatDisagreeOnTheCollectiveOrTheShapeGetOneErrorNamingEachCall() throws Exception {
        List<String> messages = onEveryMember(2, Duration.ofSeconds(20), member -> {
            NDArray buffer = NDArray.ones(member.rank() == 0 ? 3 : 4);
            try {
                member.allReduce(buffer, ReduceOp.SUM);
                return "no error";
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        });
        for (String message : messages) {
            assertTrue(message.contains("rank 0: allReduce(SUM) FLOAT32 [3]; rank 1: allReduce(SUM) FLOAT32 [4]"), message);
        }
        assertThrows(IllegalArgumentException.class, () -> InProcessGroup.create(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> InProcessGroup.create(2, Duration.ZERO));
    }
}
