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
                return e.getMessage() + " " + e.missingRanks();
            }
        });
        assertTrue(outcomes.get(0).contains("rank 2 did not answer within 500 ms") && outcomes.get(0).endsWith("[2]"), outcomes.get(0));
        assertTrue(outcomes.get(1).contains("did not answer within 500 ms"), outcomes.get(1));
        assertEquals("idle", outcomes.get(2));
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
}
