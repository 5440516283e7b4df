package dev.descent.distributed;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A process group over TCP, for replicas in separate processes or machines. Rank 0 listens at the
 * rendezvous address, where the members exchange the addresses of their data listeners; then each
 * member connects to rank 0 (the star) and to its ring successor.
 * <ul>
 *   <li>All-reduce of a buffer smaller than {@code ringThresholdBytes} goes through rank 0, which
 *       reduces in rank order and sends the result back: two message latencies, the fewest.</li>
 *   <li>A larger one runs the ring: a reduce-scatter then an all-gather of 1/n-th chunks, 2(n&minus;1)
 *       steps in which every link carries 1/n-th of the buffer, so the time per byte does not grow with
 *       n; each piece is forwarded as soon as it is reduced, so the steps overlap. Every member ends
 *       with the same values (each chunk is reduced once and passed on), though the order of
 *       additions differs from the star's.</li>
 *   <li>Broadcast, all-gather and barrier go through rank 0.</li>
 * </ul>
 * Values travel in the buffer's own dtype and are reduced in it, as {@link InProcessGroup} does
 * ({@link WireElements}; the framing is {@link WireTransfer}'s). A wait longer than the timeout is a
 * {@link CollectiveTimeoutException} naming the member that did not answer; a closed connection
 * names it too. A group is used by one thread at a time, as collectives are called in one order.
 */
public final class TcpProcessGroup implements ProcessGroup, AutoCloseable {
    /**
     * Below this, the star's two latencies beat the ring's 2(n&minus;1) steps. Measured with the
     * bulk data path on one 2-core host, float32, members as threads over loopback (2026-12-05,
     * {@code descent bench collectives}, docs/benchmarks.md): at 256 KiB the star took 206 us and
     * the ring 229 us with 2 members, 435 and 765 us with 4; from 1 MiB to 16 MiB the two were
     * within the host's run-to-run noise (a factor of up to 3), e.g. 1 MiB with 4 members 2.1 ms
     * against 2.8 ms in one run, 6.0 against 5.1 in another; at 64 MiB the ring won (4 members:
     * 168 ms against 194). On one host the members share the cores, so the star's weakness, rank
     * 0's link carrying (n&minus;1) buffers each way, does not show; between machines it does,
     * which is why the default sits at the low end of the tie. Pass another threshold to
     * {@link #connect(int, int, InetSocketAddress, Duration, long)}.
     */
    public static final long DEFAULT_RING_THRESHOLD_BYTES = 1 << 20;

    private final int rank;
    private final int worldSize;
    private final long ringThresholdBytes;
    private final WireTransfer wire;
    private final WireElements elements = new WireElements();
    /** Rank 0: one link per other rank (index = rank); others: index 0 is the link to rank 0. */
    private final WireTransfer.Link[] star;
    private final WireTransfer.Link next;
    private final WireTransfer.Link previous;
    private ByteBuffer work;
    private ByteBuffer scratch;

    /** One rendezvous connection, to the member {@code rank}: addresses only, in Java's data streams. */
    private record Peer(int rank, Socket socket, DataInputStream in, DataOutputStream out) {
        static Peer of(int rank, Socket socket, Duration timeout) throws IOException {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            return new Peer(rank, socket, new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16)),
                    new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16)));
        }
    }

    private TcpProcessGroup(int rank, int worldSize, long ringThresholdBytes, WireTransfer wire, WireTransfer.Link[] star,
            WireTransfer.Link next, WireTransfer.Link previous) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.ringThresholdBytes = ringThresholdBytes;
        this.wire = wire;
        this.star = star;
        this.next = next;
        this.previous = previous;
    }

    /** Joins the group as {@code rank} of {@code worldSize}, meeting at {@code rendezvous} (rank 0 listens there). */
    public static TcpProcessGroup connect(int rank, int worldSize, InetSocketAddress rendezvous, Duration timeout) throws IOException {
        return connect(rank, worldSize, rendezvous, timeout, DEFAULT_RING_THRESHOLD_BYTES);
    }

    /** As {@link #connect(int, int, InetSocketAddress, Duration)}, with the size from which all-reduce takes the ring. */
    public static TcpProcessGroup connect(int rank, int worldSize, InetSocketAddress rendezvous, Duration timeout, long ringThresholdBytes)
            throws IOException {
        checkMembership(rank, worldSize, timeout);
        if (rank != 0 || worldSize == 1) {
            return connect(rank, worldSize, null, rendezvous, timeout, ringThresholdBytes);
        }
        ServerSocket listener = new ServerSocket();
        try (listener) {
            listener.setReuseAddress(true);
            try {
                listener.bind(rendezvous, worldSize);
            } catch (BindException e) {
                throw new BindException("TcpProcessGroup.connect on rank 0: cannot listen at " + rendezvous + " ("
                        + e.getMessage() + "); pick a free port, or let rank 0 listen on port 0 and send the others its address");
            }
            return connect(0, worldSize, listener, rendezvous, timeout, ringThresholdBytes);
        }
    }

    /**
     * Joins the group with a rendezvous socket rank 0 has already bound (others pass null): for
     * launchers that must publish rank 0's address before the group forms, such as Spark's
     * barrier tasks, which bind port 0 and exchange the port the system chose, so no port is
     * guessed and none can be taken in between. {@code rendezvous} is where the others connect.
     */
    public static TcpProcessGroup connect(int rank, int worldSize, ServerSocket listener, InetSocketAddress rendezvous, Duration timeout,
            long ringThresholdBytes) throws IOException {
        checkMembership(rank, worldSize, timeout);
        if (rank == 0 && worldSize > 1 && (listener == null || !listener.isBound())) {
            throw new IllegalArgumentException("TcpProcessGroup.connect: rank 0 needs a bound rendezvous listener, got " + listener);
        }
        WireTransfer wire = new WireTransfer(rank, timeout);
        WireTransfer.Link[] star = new WireTransfer.Link[worldSize];
        if (worldSize == 1) {
            return new TcpProcessGroup(rank, 1, ringThresholdBytes, wire, star, null, null);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Peer[] rendezvousPeers = new Peer[worldSize];
        try (WireLinks links = new WireLinks(rank, worldSize, timeout)) {
            int[] ports = new int[worldSize];
            String[] hosts = new String[worldSize];
            if (rank == 0) {
                listener.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                ports[0] = links.port();
                hosts[0] = rendezvous.getHostString();
                for (int joined = 1; joined < worldSize; joined++) {
                    Socket socket;
                    try {
                        socket = listener.accept();
                    } catch (SocketTimeoutException e) {
                        throw notConnected(rendezvousPeers, rendezvous, timeout);
                    }
                    Peer peer = Peer.of(-1, socket, timeout);
                    int peerRank = peer.in().readInt();
                    ports[peerRank] = peer.in().readInt();
                    hosts[peerRank] = socket.getInetAddress().getHostAddress();
                    rendezvousPeers[peerRank] = new Peer(peerRank, socket, peer.in(), peer.out());
                }
                for (int r = 1; r < worldSize; r++) {
                    for (int k = 0; k < worldSize; k++) {
                        rendezvousPeers[r].out().writeUTF(hosts[k]);
                        rendezvousPeers[r].out().writeInt(ports[k]);
                    }
                    rendezvousPeers[r].out().flush();
                }
            } else {
                Peer root = Peer.of(0, WireLinks.connectWithRetry(rendezvous, deadline, rank, 0), timeout);
                rendezvousPeers[0] = root;
                root.out().writeInt(rank);
                root.out().writeInt(links.port());
                root.out().flush();
                for (int k = 0; k < worldSize; k++) {
                    hosts[k] = root.in().readUTF();
                    ports[k] = root.in().readInt();
                }
            }
            links.connect(wire, hosts, ports, deadline, star);
            return new TcpProcessGroup(rank, worldSize, ringThresholdBytes, wire, star, links.next(), links.previous());
        } catch (IOException | RuntimeException e) {
            wire.close();
            throw e;
        } finally {
            for (Peer peer : rendezvousPeers) {
                if (peer != null) {
                    peer.socket().close();
                }
            }
        }
    }

    private static CollectiveTimeoutException notConnected(Peer[] joined, InetSocketAddress rendezvous, Duration timeout) {
        List<Integer> missing = new ArrayList<>();
        for (int r = 1; r < joined.length; r++) {
            if (joined[r] == null) {
                missing.add(r);
            }
        }
        return new CollectiveTimeoutException("TcpProcessGroup.connect on rank 0: rank(s) " + missing + " of " + joined.length
                + " did not connect to " + rendezvous + " within " + timeout.toMillis() + " ms", missing);
    }

    private static void checkMembership(int rank, int worldSize, Duration timeout) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("TcpProcessGroup: rank " + rank + " is not in a group of " + worldSize);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("TcpProcessGroup: the timeout must be positive, got " + timeout);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public void allReduce(NDArray buffer, ReduceOp op) {
        if (worldSize == 1) {
            return;   // the reduction of one buffer, the mean included, is that buffer
        }
        int count = buffer.size();
        long bytes = (long) count * buffer.dtype().byteSize();
        ByteBuffer work = work(bytes);
        WireElements.load(buffer, work, 0);
        if (bytes < ringThresholdBytes) {
            starReduce(buffer.dtype(), count, op);
        } else {
            ringReduce(buffer.dtype(), count, op);
        }
        WireElements.store(work, 0, buffer);
    }

    @Override
    public void broadcast(NDArray buffer, int root) {
        if (root < 0 || root >= worldSize) {
            throw new IllegalArgumentException("broadcast: root " + root + " is not a rank of this group of " + worldSize);
        }
        if (worldSize == 1) {
            return;
        }
        String what = "broadcast(root " + root + ")";
        DType dtype = buffer.dtype();
        int count = buffer.size();
        int bytes = (int) ((long) count * dtype.byteSize());
        ByteBuffer work = work(bytes);
        if (rank == root) {
            WireElements.load(buffer, work, 0);
        }
        if (rank == 0) {
            if (root != 0) {
                wire.run(what, List.of(), List.of(incoming(star[root], dtype, count, work, 0, bytes)));
            }
            List<WireTransfer.Outgoing> sends = new ArrayList<>();
            for (int r = 1; r < worldSize; r++) {
                if (r != root) {
                    sends.add(outgoing(star[r], dtype, count, work, 0, bytes));
                }
            }
            wire.run(what, sends, List.of());
        } else if (rank == root) {
            wire.run(what, List.of(outgoing(star[0], dtype, count, work, 0, bytes)), List.of());
        } else {
            wire.run(what, List.of(), List.of(incoming(star[0], dtype, count, work, 0, bytes)));
        }
        if (rank != root) {
            WireElements.store(work, 0, buffer);
        }
    }

    @Override
    public NDArray[] allGather(NDArray buffer) {
        DType dtype = buffer.dtype();
        int count = buffer.size();
        int bytes = (int) ((long) count * dtype.byteSize());
        ByteBuffer all = work((long) bytes * worldSize);
        WireElements.load(buffer, all, rank * bytes);
        if (worldSize > 1) {
            if (rank == 0) {
                List<WireTransfer.Incoming> receives = new ArrayList<>();
                for (int r = 1; r < worldSize; r++) {
                    receives.add(incoming(star[r], dtype, count, all, r * bytes, bytes));
                }
                wire.run("allGather", List.of(), receives);
                List<WireTransfer.Outgoing> sends = new ArrayList<>();
                for (int r = 1; r < worldSize; r++) {
                    sends.add(outgoing(star[r], dtype, count, all, 0, bytes * worldSize));
                }
                wire.run("allGather", sends, List.of());
            } else {
                wire.run("allGather", List.of(outgoing(star[0], dtype, count, all, rank * bytes, bytes)),
                        List.of(incoming(star[0], dtype, count, all, 0, bytes * worldSize)));
            }
        }
        NDArray[] gathered = new NDArray[worldSize];
        for (int r = 0; r < worldSize; r++) {
            gathered[r] = WireElements.toArray(all, r * bytes, WireElements.hostArray(dtype, count), buffer.shape());
        }
        return gathered;
    }

    @Override
    public void barrier() {
        allReduce(NDArray.zeros(DType.FLOAT64, 1), ReduceOp.SUM);
    }

    /** Through rank 0: everyone sends, rank 0 reduces in rank order and sends the result to everyone. */
    private void starReduce(DType dtype, int count, ReduceOp op) {
        String what = "allReduce(" + op + ")";
        int bytes = count * dtype.byteSize();
        if (rank != 0) {
            // the result cannot arrive before rank 0 has all of this member's bytes, so it may land in the same place
            wire.run(what, List.of(outgoing(star[0], dtype, count, work, 0, bytes)), List.of(incoming(star[0], dtype, count, work, 0, bytes)));
            return;
        }
        ByteBuffer values = scratch(bytes);
        for (int r = 1; r < worldSize; r++) {
            // one member at a time, reduced as its bytes arrive: the rank order of the additions, whatever the arrival order
            wire.run(what, List.of(), List.of(new WireTransfer.Incoming(star[r], count, dtype.ordinal(),
                    new ByteBuffer[] {values.slice(0, bytes)}, (part, from, to) -> elements.combine(dtype, op, work, from, values, from, to - from))));
        }
        if (op == ReduceOp.MEAN) {
            elements.divide(dtype, work, 0, bytes, worldSize);
        }
        List<WireTransfer.Outgoing> sends = new ArrayList<>();
        for (int r = 1; r < worldSize; r++) {
            sends.add(outgoing(star[r], dtype, count, work, 0, bytes));
        }
        wire.run(what, sends, List.of());
    }

    /**
     * The ring: a reduce-scatter then an all-gather of worldSize chunks, as one stream per link.
     * The chunk a member receives at one step is the chunk it sends at the next, so it forwards
     * each piece as soon as it is reduced (or, in the all-gather, as soon as it has arrived) instead
     * of waiting for the step's end: the links stay busy across steps, and across the two phases.
     */
    private void ringReduce(DType dtype, int count, ReduceOp op) {
        String what = "allReduce(" + op + ", ring)";
        int n = worldSize;
        int size = dtype.byteSize();
        int[] starts = new int[n + 1];
        for (int c = 0; c <= n; c++) {
            starts[c] = (int) ((long) count * c / n) * size;
        }
        ByteBuffer values = scratch(starts[1] + (long) size);   // the largest chunk
        int steps = 2 * (n - 1);
        ByteBuffer[] sends = new ByteBuffer[steps];
        ByteBuffer[] receives = new ByteBuffer[steps];
        int[] receivedChunk = new int[steps];
        for (int s = 0; s < n - 1; s++) {
            // reduce-scatter: after step s, chunk (rank - s - 1) mod n holds the reduction over s + 2 members
            sends[s] = chunk(work, starts, Math.floorMod(rank - s, n));
            receivedChunk[s] = Math.floorMod(rank - s - 1, n);
            receives[s] = values.slice(0, starts[receivedChunk[s] + 1] - starts[receivedChunk[s]]);
            // all-gather: chunk (rank + 1) mod n is complete here first, then the ones that arrive
            sends[n - 1 + s] = chunk(work, starts, Math.floorMod(rank + 1 - s, n));
            receivedChunk[n - 1 + s] = Math.floorMod(rank - s, n);
            receives[n - 1 + s] = chunk(work, starts, receivedChunk[n - 1 + s]);
        }
        WireTransfer.Outgoing out = new WireTransfer.Outgoing(next, count, dtype.ordinal(), sends, sends[0].capacity());
        WireTransfer.Incoming in = new WireTransfer.Incoming(previous, count, dtype.ordinal(), receives, (part, from, to) -> {
            if (part < n - 1) {
                int at = starts[receivedChunk[part]] + from;
                elements.combine(dtype, op, work, at, values, from, to - from);
                if (part == n - 2 && op == ReduceOp.MEAN) {
                    elements.divide(dtype, work, at, to - from, n);
                }
            }
            out.ready += to - from;   // sends[part + 1] is the region that just became final for this step
        });
        wire.run(what, List.of(out), List.of(in));
    }

    private static ByteBuffer chunk(ByteBuffer buffer, int[] starts, int c) {
        return buffer.slice(starts[c], starts[c + 1] - starts[c]);
    }

    private static WireTransfer.Outgoing outgoing(WireTransfer.Link link, DType dtype, int count, ByteBuffer from, int offset, int bytes) {
        return new WireTransfer.Outgoing(link, count, dtype.ordinal(), new ByteBuffer[] {from.slice(offset, bytes)}, bytes);
    }

    private static WireTransfer.Incoming incoming(WireTransfer.Link link, DType dtype, int count, ByteBuffer into, int offset, int bytes) {
        return new WireTransfer.Incoming(link, count, dtype.ordinal(), new ByteBuffer[] {into.slice(offset, bytes)}, (part, from, to) -> {
        });
    }

    /** The working buffer, kept between calls (a direct buffer is costly to allocate and zero), at least {@code bytes} long. */
    private ByteBuffer work(long bytes) {
        if (work == null || work.capacity() < bytes) {
            work = WireElements.allocate(bytes);
        }
        return work;
    }

    /** Where incoming values wait to be combined into the working buffer; kept as {@link #work} is. */
    private ByteBuffer scratch(long bytes) {
        if (scratch == null || scratch.capacity() < bytes) {
            scratch = WireElements.allocate(bytes);
        }
        return scratch;
    }

    /** Closes every connection. */
    @Override
    public void close() throws IOException {
        wire.close();
    }
}
