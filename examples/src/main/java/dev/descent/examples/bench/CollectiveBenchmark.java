package dev.descent.examples.bench;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.distributed.ReduceOp;
import dev.descent.distributed.TcpProcessGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link TcpProcessGroup}'s all-reduce over loopback, float32 buffers of 1 KiB to 64 MiB, 2 and 4
 * members (threads of this JVM, each with its own group over 127.0.0.1), through the star and
 * around the ring; and its peer, one TCP stream on loopback moving the same bytes (one sender,
 * one receiver, direct buffers, the same socket buffer sizes). {@link BenchSuite} turns the times
 * into bus bandwidth, 2(n&minus;1)/n &middot; bytes / time, NCCL's measure, which a ring at the
 * link's speed keeps at the link's throughput whatever n.
 *
 * <p>Rank 0 is the benchmark thread; the other members call all-reduce in a loop on threads of
 * their own and wait inside it for rank 0's next call, as replicas do, so no signal of the
 * benchmark's own sits between two collectives.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
// a heap touched in advance: otherwise the first pass over each new young-generation page (a page fault apiece) dominates a short run
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:+AlwaysPreTouch", "-XX:MaxDirectMemorySize=2g", "--add-modules=jdk.incubator.vector"})
public class CollectiveBenchmark {
    /** Message sizes in bytes: 1 KiB to 64 MiB. */
    static final String[] SIZES = {"1024", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"};

    /** A group of members over loopback, rank 0 on the benchmark thread. */
    @State(Scope.Benchmark)
    public static class Group {
        @Param({"2", "4"})
        public int members;
        @Param({"star", "ring"})
        public String algorithm;
        @Param({"1024", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
        public int bytes;

        TcpProcessGroup root;
        NDArray buffer;
        private final List<TcpProcessGroup> others = new ArrayList<>();
        private ExecutorService threads;
        private volatile boolean running = true;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            InetSocketAddress rendezvous;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                rendezvous = new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
            }
            long threshold = algorithm.equals("ring") ? 0 : Long.MAX_VALUE;
            threads = Executors.newFixedThreadPool(members);
            List<Future<TcpProcessGroup>> joining = new ArrayList<>();
            for (int rank = 0; rank < members; rank++) {
                int r = rank;
                // a long timeout: the members wait for rank 0 between JMH's iterations
                joining.add(threads.submit(() -> TcpProcessGroup.connect(r, members, rendezvous, Duration.ofMinutes(10), threshold)));
            }
            root = joining.get(0).get();
            buffer = NDArray.randn(DType.FLOAT32, new Generator(0), bytes / 4);
            for (int rank = 1; rank < members; rank++) {
                TcpProcessGroup member = joining.get(rank).get();
                others.add(member);
                NDArray values = NDArray.randn(DType.FLOAT32, new Generator(rank), bytes / 4);
                threads.submit(() -> {
                    while (running) {
                        member.allReduce(values, ReduceOp.SUM);   // sums overflow to infinity, which costs no more to add
                    }
                    return null;
                });
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            running = false;
            root.close();   // the others fail out of their waiting call
            for (TcpProcessGroup member : others) {
                member.close();
            }
            threads.shutdownNow();
        }
    }

    /** One TCP stream over loopback: the sender is the benchmark thread, the receiver a thread that acknowledges each message. */
    @State(Scope.Benchmark)
    public static class Stream {
        @Param({"1024", "16384", "65536", "262144", "1048576", "4194304", "16777216", "67108864"})
        public int bytes;

        SocketChannel sender;
        ByteBuffer outgoing;
        final ByteBuffer acknowledgement = ByteBuffer.allocateDirect(1);
        private SocketChannel receiver;
        private Thread receiving;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                listener.setOption(StandardSocketOptions.SO_RCVBUF, TCP_BUFFER_BYTES);
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sender = SocketChannel.open();
                sender.setOption(StandardSocketOptions.SO_SNDBUF, TCP_BUFFER_BYTES).setOption(StandardSocketOptions.TCP_NODELAY, true);
                sender.connect(listener.getLocalAddress());
                receiver = listener.accept();
                receiver.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            outgoing = ByteBuffer.allocateDirect(bytes);
            ByteBuffer incoming = ByteBuffer.allocateDirect(bytes);
            ByteBuffer ack = ByteBuffer.allocateDirect(1);
            receiving = new Thread(() -> {
                try {
                    while (true) {
                        incoming.clear();
                        while (incoming.hasRemaining()) {
                            if (receiver.read(incoming) < 0) {
                                return;
                            }
                        }
                        ack.clear();
                        receiver.write(ack);
                    }
                } catch (IOException closed) {
                    // the trial is over
                }
            }, "tcp-stream-receiver");
            receiving.setDaemon(true);
            receiving.start();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException, InterruptedException {
            sender.close();
            receiving.join(5000);
            receiver.close();
        }
    }

    /** The socket buffers of {@link TcpProcessGroup}'s data links, for the stream too. */
    static final int TCP_BUFFER_BYTES = 4 << 20;

    @Benchmark
    public void allReduce(Group group) {
        group.root.allReduce(group.buffer, ReduceOp.SUM);
    }

    /** Writes {@code bytes} and waits for the receiver to have read them all. */
    @Benchmark
    public void tcpStream(Stream stream) {
        try {
            stream.outgoing.clear();
            while (stream.outgoing.hasRemaining()) {
                stream.sender.write(stream.outgoing);
            }
            stream.acknowledgement.clear();
            while (stream.acknowledgement.hasRemaining()) {
                if (stream.sender.read(stream.acknowledgement) < 0) {
                    throw new IOException("the receiver closed the stream");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configurations of the report, in its column order. */
    private static final String[] CONFIGURATIONS = {"2 star", "2 ring", "4 star", "4 ring"};

    /**
     * Prints size, time and bus bandwidth per configuration beside the stream's throughput, and the
     * ring's share of the stream at 16 and 64 MiB; writes the same rows to
     * {@code collectives-bandwidth.csv} (size, configuration, microseconds, GB/s).
     */
    static void report(Collection<RunResult> results) throws IOException {
        Map<Integer, Map<String, Double>> micros = new TreeMap<>();
        for (RunResult result : results) {
            int bytes = Integer.parseInt(result.getParams().getParam("bytes"));
            String configuration = result.getPrimaryResult().getLabel().equals("tcpStream") ? "stream"
                    : result.getParams().getParam("members") + " " + result.getParams().getParam("algorithm");
            micros.computeIfAbsent(bytes, b -> new TreeMap<>()).put(configuration, result.getPrimaryResult().getScore());
        }
        System.out.printf("%nAll-reduce of float32 buffers over loopback (members as threads), time and bus bandwidth"
                + " 2(n-1)/n * bytes / time; one TCP stream moving the same bytes%n%-9s %18s", "bytes", "TCP stream");
        for (String configuration : CONFIGURATIONS) {
            System.out.printf(" %22s", configuration);
        }
        System.out.println();
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(Path.of("collectives-bandwidth.csv")))) {
            csv.println("bytes,configuration,microseconds,gigabytes_per_second");
            micros.forEach((bytes, row) -> {
                double streamMicros = row.getOrDefault("stream", Double.NaN);
                System.out.printf(Locale.ROOT, "%-9s %9.1f us %5.2f", label(bytes), streamMicros, bytes / (streamMicros * 1e3));
                csv.printf(Locale.ROOT, "%d,stream,%.3f,%.4f%n", bytes, streamMicros, bytes / (streamMicros * 1e3));
                for (String configuration : CONFIGURATIONS) {
                    double time = row.getOrDefault(configuration, Double.NaN);
                    double bus = busBandwidth(Integer.parseInt(configuration.substring(0, 1)), bytes, time);
                    System.out.printf(Locale.ROOT, " %12.1f us %5.2f", time, bus);
                    csv.printf(Locale.ROOT, "%d,%s,%.3f,%.4f%n", bytes, configuration, time, bus);
                }
                System.out.println();
            });
        }
        System.out.println("(GB/s = 1e9 bytes per second; rows written to collectives-bandwidth.csv)");
        for (int bytes : new int[] {1 << 24, 1 << 26}) {
            Map<String, Double> row = micros.get(bytes);
            if (row != null && row.containsKey("stream")) {
                double stream = bytes / (row.get("stream") * 1e3);
                for (String ring : List.of("2 ring", "4 ring")) {
                    if (row.containsKey(ring)) {
                        System.out.printf(Locale.ROOT, "%s, %s: bus bandwidth %.2f GB/s = %.2f of the stream's %.2f GB/s%n", label(bytes),
                                ring, busBandwidth(ring.charAt(0) - '0', bytes, row.get(ring)),
                                busBandwidth(ring.charAt(0) - '0', bytes, row.get(ring)) / stream, stream);
                    }
                }
            }
        }
    }

    /** NCCL's all-reduce bus bandwidth in GB/s: what each link carries, 2(n-1)/n of the buffer, per second. */
    static double busBandwidth(int members, long bytes, double micros) {
        return 2.0 * (members - 1) / members * bytes / (micros * 1e3);
    }

    static String label(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
