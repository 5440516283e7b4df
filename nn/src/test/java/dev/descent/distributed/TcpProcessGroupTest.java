package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TCP collectives on localhost, through the star and through the ring, against the in-process definitions. */
class TcpProcessGroupTest {
    interface Work<T> {
        T run(TcpProcessGroup member) throws Exception;
    }

    private static InetSocketAddress freeAddress() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
    }

    private static <T> List<T> onEveryMember(int worldSize, long ringThreshold, Duration timeout, Work<T> work) throws Exception {
        InetSocketAddress rendezvous = freeAddress();
        List<java.util.concurrent.Callable<T>> tasks = new ArrayList<>();
        for (int rank = 0; rank < worldSize; rank++) {
            int r = rank;
            tasks.add(() -> {
                try (TcpProcessGroup member = TcpProcessGroup.connect(r, worldSize, rendezvous, timeout, ringThreshold)) {
                    return work.run(member);
                }
            });
        }
        return OnThreads.run(tasks);
    }

    private static NDArray valuesOf(int rank, int length) {
        return NDArray.randn(DType.FLOAT64, new Generator(1000 + rank), length);
    }

    @Test
    void allReduceThroughTheStarAndTheRingGivesEveryMemberTheReductionOfAllBuffers() throws Exception {
        for (int worldSize : new int[] {2, 3, 4}) {
            for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
                for (ReduceOp op : ReduceOp.values()) {
                    int length = 37;   // not a multiple of the world size: the ring's chunks differ in length
                    List<double[]> results = onEveryMember(worldSize, threshold, Duration.ofSeconds(20), member -> {
                        NDArray buffer = valuesOf(member.rank(), length);
                        member.allReduce(buffer, op);
                        return buffer.toDoubleArray();
                    });
                    double[] expected = new double[length];
                    for (int i = 0; i < length; i++) {
                        double value = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : op == ReduceOp.MIN ? Double.POSITIVE_INFINITY : 0;
                        for (int rank = 0; rank < worldSize; rank++) {
                            double x = valuesOf(rank, length).toDoubleArray()[i];
                            value = switch (op) {
                                case SUM, MEAN -> value + x;
                                case MAX -> Math.max(value, x);
                                case MIN -> Math.min(value, x);
                            };
                        }
                        expected[i] = op == ReduceOp.MEAN ? value / worldSize : value;
                    }
                    String what = op + ", " + worldSize + " members, " + (threshold == 0 ? "ring" : "star");
                    for (int rank = 0; rank < worldSize; rank++) {
                        assertArrayEquals(expected, results.get(rank), 1e-12, what + ", rank " + rank);
                        assertArrayEquals(results.get(0), results.get(rank), 0, what + ": every member the same bits");
                    }
                }
            }
        }
    }

    @Test
    void broadcastAllGatherAndBarrierMatchTheirDefinitions() throws Exception {
        List<double[][]> results = onEveryMember(3, TcpProcessGroup.DEFAULT_RING_THRESHOLD_BYTES, Duration.ofSeconds(20), member -> {
            NDArray buffer = valuesOf(member.rank(), 5).reshape(5, 1).astype(DType.FLOAT32);
            member.broadcast(buffer, 2);
            member.barrier();
            NDArray[] gathered = member.allGather(valuesOf(member.rank(), 4));
            return new double[][] {buffer.toDoubleArray(), gathered[0].toDoubleArray(), gathered[1].toDoubleArray(), gathered[2].toDoubleArray()};
        });
        for (double[][] result : results) {
            assertArrayEquals(valuesOf(2, 5).astype(DType.FLOAT32).toDoubleArray(), result[0], 0, "rank 2's array everywhere");
            for (int rank = 0; rank < 3; rank++) {
                assertArrayEquals(valuesOf(rank, 4).toDoubleArray(), result[1 + rank], 0, "gathered from rank " + rank);
            }
        }
    }

    @Test
    void aMemberThatDoesNotAnswerIsNamedWithinTheTimeout() throws Exception {
        List<String> outcomes = onEveryMember(3, Long.MAX_VALUE, Duration.ofMillis(500), member -> {
            if (member.rank() == 2) {
                Thread.sleep(1500);   // connected, but never joins the collective
                return "idle";
            }
            try {
                member.allReduce(NDArray.ones(3), ReduceOp.SUM);
                return "no error";
            } catch (CollectiveTimeoutException e) {
                // The member that times out first closes its connection on return; until the others have timed
                // out too it stays open, so each names the timeout and none the closed connection instead.
                Thread.sleep(1000);
                return e.getMessage() + " " + e.missingRanks();
            }
        });
        assertTrue(outcomes.get(0).contains("rank 2 did not answer within 500 ms") && outcomes.get(0).endsWith("[2]"), outcomes.get(0));
        assertTrue(outcomes.get(1).contains("did not answer within 500 ms"), outcomes.get(1));
        assertEquals("idle", outcomes.get(2));
    }

    @Test
    void aMemberThatLeavesIsNamedAtOnceRatherThanAfterTheTimeout() throws Exception {
        long start = System.nanoTime();
        List<String> outcomes = onEveryMember(2, Long.MAX_VALUE, Duration.ofSeconds(20), member -> {
            if (member.rank() == 1) {
                return "left";   // closes its connection without joining the collective
            }
            try {
                member.allReduce(NDArray.ones(3), ReduceOp.SUM);
                return "no error";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(outcomes.get(0).contains("on rank 0: rank 1 closed its connection"), outcomes.get(0));
        assertTrue(seconds < 10, "took " + seconds + " s, expected well under the 20 s timeout");
    }

    @Test
    void aRendezvousPortInUseIsRefusedNamingTheAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            java.net.BindException refused = org.junit.jupiter.api.Assertions.assertThrows(java.net.BindException.class,
                    () -> TcpProcessGroup.connect(0, 2, address, Duration.ofSeconds(2)));
            assertTrue(refused.getMessage().startsWith("TcpProcessGroup.connect on rank 0: cannot listen at " + address), refused.getMessage());
        }
    }

    @Test
    void aListenerBoundToPortZeroBeforehandFormsTheGroup() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            InetSocketAddress published = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            List<java.util.concurrent.Callable<double[]>> tasks = new ArrayList<>();
            for (int rank = 0; rank < 3; rank++) {
                int r = rank;
                tasks.add(() -> {
                    try (TcpProcessGroup member = TcpProcessGroup.connect(r, 3, r == 0 ? listener : null, published, Duration.ofSeconds(5),
                            TcpProcessGroup.DEFAULT_RING_THRESHOLD_BYTES)) {
                        NDArray values = NDArray.full(DType.FLOAT64, r + 1.0, 2);
                        member.allReduce(values, ReduceOp.SUM);
                        return values.toDoubleArray();
                    }
                });
            }
            for (double[] result : OnThreads.run(tasks)) {
                assertArrayEquals(new double[] {6, 6}, result);
            }
        }
    }

    /** Whole numbers as float32: their sums are exact in any order, so the ring's result is known to the bit. */
    private static NDArray wholeNumbers(int rank, int length) {
        return NDArray.rand(DType.FLOAT32, new Generator(2000 + rank), length).mul(2000).sub(1000).astype(DType.INT32).astype(DType.FLOAT32);
    }

    @Test
    void float32ValuesTravelInTheirOwnBitsThroughStarRingBroadcastAndAllGather() throws Exception {
        for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
            int length = 1001;
            List<float[][]> results = onEveryMember(3, threshold, Duration.ofSeconds(20), member -> {
                // rank 0's values plus zeros: x + 0 is x, so any rounding on the way would show
                NDArray sum = member.rank() == 0 ? valuesOf(0, length).astype(DType.FLOAT32) : NDArray.zeros(DType.FLOAT32, length);
                member.allReduce(sum, ReduceOp.SUM);
                NDArray max = valuesOf(member.rank(), length).astype(DType.FLOAT32);
                member.allReduce(max, ReduceOp.MAX);
                NDArray[] gathered = member.allGather(valuesOf(member.rank(), 7).astype(DType.FLOAT32));
                return new float[][] {sum.toFloatArray(), max.toFloatArray(), gathered[1].toFloatArray()};
            });
            float[] expectedMax = new float[length];
            for (int i = 0; i < length; i++) {
                expectedMax[i] = Float.NEGATIVE_INFINITY;
                for (int rank = 0; rank < 3; rank++) {
                    expectedMax[i] = Math.max(expectedMax[i], valuesOf(rank, length).astype(DType.FLOAT32).toFloatArray()[i]);
                }
            }
            for (float[][] result : results) {
                assertArrayEquals(valuesOf(0, length).astype(DType.FLOAT32).toFloatArray(), result[0], threshold == 0 ? "ring" : "star");
                assertArrayEquals(expectedMax, result[1]);
                assertArrayEquals(valuesOf(1, 7).astype(DType.FLOAT32).toFloatArray(), result[2]);
            }
        }
    }

    @Test
    void theStarReducesFloat32InRankOrderAsTheInProcessGroupDoes() throws Exception {
        int length = 513;
        List<float[]> results = onEveryMember(4, Long.MAX_VALUE, Duration.ofSeconds(20), member -> {
            NDArray buffer = valuesOf(member.rank(), length).astype(DType.FLOAT32);
            member.allReduce(buffer, ReduceOp.MEAN);
            return buffer.toFloatArray();
        });
        float[] expected = new float[length];
        for (int i = 0; i < length; i++) {
            float sum = 0;
            for (int rank = 0; rank < 4; rank++) {
                sum += valuesOf(rank, length).astype(DType.FLOAT32).toFloatArray()[i];
            }
            expected[i] = sum / 4f;
        }
        for (float[] result : results) {
            assertArrayEquals(expected, result);
        }
    }

    @Test
    void largeBuffersGoAroundTheRingInPiecesThatDoNotAlignWithTheChunks() throws Exception {
        // 3 members and 1,000,003 floats: chunks of 333,334 and 333,335 values, none a multiple of the 512 KiB piece
        int length = 1_000_003;
        for (int worldSize : new int[] {2, 3}) {
            List<float[][]> results = onEveryMember(worldSize, 0, Duration.ofSeconds(30), member -> {
                float[][] sums = new float[3][];
                for (int round = 0; round < sums.length; round++) {   // reads end in different places each time
                    NDArray sum = wholeNumbers(member.rank(), length);
                    member.allReduce(sum, ReduceOp.SUM);
                    sums[round] = sum.toFloatArray();
                }
                return sums;
            });
            double[] expected = new double[length];
            for (int rank = 0; rank < worldSize; rank++) {
                float[] values = wholeNumbers(rank, length).toFloatArray();
                for (int i = 0; i < length; i++) {
                    expected[i] += values[i];
                }
            }
            for (float[][] result : results) {
                for (float[] round : result) {
                    for (int i = 0; i < length; i++) {
                        if (round[i] != (float) expected[i]) {
                            throw new AssertionError(worldSize + " members: element " + i + " is " + round[i] + ", expected " + expected[i]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void int32AndFloat64BuffersReduceInTheirDtypeAroundTheRing() throws Exception {
        List<NDArray[]> results = onEveryMember(3, 0, Duration.ofSeconds(20), member -> {
            NDArray ints = NDArray.of(new int[] {member.rank() + 1, -7 * member.rank(), 10, 3});
            member.allReduce(ints, ReduceOp.MEAN);
            NDArray doubles = NDArray.full(DType.FLOAT64, 0.1 * (member.rank() + 1), 5);
            member.allReduce(doubles, ReduceOp.MAX);
            NDArray parent = NDArray.zeros(DType.FLOAT32, 6, 4);
            parent.narrow(1, 1, 2).fill(member.rank() + 1);   // a strided view: the result goes through it into the parent
            member.allReduce(parent.narrow(1, 1, 2), ReduceOp.SUM);
            return new NDArray[] {ints, doubles, parent};
        });
        for (NDArray[] result : results) {
            float[] parent = result[2].toFloatArray();
            for (int i = 0; i < parent.length; i++) {
                assertEquals(i % 4 == 1 || i % 4 == 2 ? 6f : 0f, parent[i], "element " + i + " of the parent");
            }
            assertEquals(DType.INT32, result[0].dtype());
            assertArrayEquals(new int[] {2, -7, 10, 3}, result[0].toIntArray());   // (1+2+3)/3, (0-7-14)/3, ...
            assertArrayEquals(new double[] {0.30000000000000004, 0.30000000000000004, 0.30000000000000004, 0.30000000000000004,
                0.30000000000000004}, result[1].toDoubleArray(), 0);
        }
    }

    @Test
    void buffersOfDifferentSizesOrDtypesAreRefusedNamingTheMember() throws Exception {
        for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
            for (boolean sizes : new boolean[] {true, false}) {
                List<String> outcomes = onEveryMember(3, threshold, Duration.ofMillis(1500), member -> {
                    NDArray buffer = member.rank() != 1 ? NDArray.zeros(DType.FLOAT32, 4)
                            : sizes ? NDArray.zeros(DType.FLOAT32, 5) : NDArray.zeros(DType.FLOAT64, 4);
                    try {
                        member.allReduce(buffer, ReduceOp.SUM);
                        return "no error";
                    } catch (RuntimeException e) {
                        return e.getMessage();
                    }
                });
                // the star: rank 0 reads rank 1's message; the ring: rank 2 reads it
                String refused = outcomes.get(threshold == 0 ? 2 : 0);
                String expected = sizes ? "rank 1 sent 5 values where this member has 4" : "rank 1 sent FLOAT64 values where this member has FLOAT32";
                assertTrue(refused.contains(expected), refused);
            }
        }
    }
}
