package dev.descent.distributed;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The data links of one {@link TcpProcessGroup} member: its listener (whose port the rendezvous
 * publishes), the link every other member opens to rank 0 (the star), and the ring's link to the
 * next member and from the previous one. Each link opens with 8 bytes, the opener's rank and what
 * the link is for; then it carries {@link WireTransfer}'s messages.
 */
final class WireLinks implements Closeable {
    /**
     * Socket buffers of the data links: several ring pieces fit in flight, so a sender rarely
     * waits for its receiver to drain (Linux caps it at net.core.[rw]mem_max, 4 MiB here).
     */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;
    private static final int STAR_LINK = 0;
    private static final int RING_LINK = 1;

    private final int rank;
    private final int worldSize;
    private final Duration timeout;
    private final ServerSocketChannel listener;
    private WireTransfer.Link next;
    private WireTransfer.Link previous;

    WireLinks(int rank, int worldSize, Duration timeout) throws IOException {
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeout = timeout;
        listener = ServerSocketChannel.open();
        // set before bind, so that accepted connections negotiate a window this large
        listener.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        listener.bind(new InetSocketAddress(0), 2 * worldSize);
        listener.socket().setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    int port() {
        return listener.socket().getLocalPort();
    }

    WireTransfer.Link next() {
        return next;
    }

    WireTransfer.Link previous() {
        return previous;
    }

    /** Opens this member's links to the listeners at {@code hosts}/{@code ports} (by rank) and accepts the ones opened to it; fills {@code star}. */
    void connect(WireTransfer wire, String[] hosts, int[] ports, long deadline, WireTransfer.Link[] star) throws IOException {
        if (rank != 0) {
            star[0] = wire.register(0, open(hosts, ports, 0, deadline, STAR_LINK));
        }
        int nextRank = (rank + 1) % worldSize;
        next = wire.register(nextRank, open(hosts, ports, nextRank, deadline, RING_LINK));
        for (int expected = rank == 0 ? worldSize : 1; expected > 0; expected--) {
            Socket accepted;
            try {
                accepted = listener.socket().accept();
            } catch (SocketTimeoutException e) {
                throw new CollectiveTimeoutException("TcpProcessGroup.connect on rank " + rank + ": " + expected
                        + " data connection(s) did not arrive within " + timeout.toMillis() + " ms", missing(star));
            }
            accepted.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            DataInputStream in = new DataInputStream(accepted.getInputStream());   // unbuffered: reads the 8 bytes and no more
            int peerRank = in.readInt();
            int kind = in.readInt();
            SocketChannel channel = accepted.getChannel();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true).setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            if (kind == STAR_LINK) {
                star[peerRank] = wire.register(peerRank, channel);
            } else {
                previous = wire.register(peerRank, channel);
            }
        }
    }

    private List<Integer> missing(WireTransfer.Link[] star) {
        List<Integer> missing = new ArrayList<>();
        for (int r = 1; rank == 0 && r < star.length; r++) {
            if (star[r] == null) {
                missing.add(r);
            }
        }
        int previousRank = Math.floorMod(rank - 1, worldSize);
        if (previous == null && !missing.contains(previousRank)) {
            missing.add(previousRank);
        }
        return missing;
    }

    /** Opens a link to {@code peer}'s listener and says who opens it and what for. */
    private SocketChannel open(String[] hosts, int[] ports, int peer, long deadline, int kind) throws IOException {
        Socket socket = connectWithRetry(new InetSocketAddress(hosts[peer], ports[peer]), deadline, rank, peer);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(rank);
        out.writeInt(kind);
        out.flush();
        return socket.getChannel();
    }

    /** A connection to {@code address}, retried until the deadline: the peer may not be listening yet. */
    static Socket connectWithRetry(InetSocketAddress address, long deadline, int rank, int peer) throws IOException {
        IOException last = null;
        while (System.nanoTime() < deadline) {
            // a channel's socket, so that a data link can run non-blocking; options before connect, as the window is negotiated then
            Socket socket = SocketChannel.open().socket();
            socket.setTcpNoDelay(true);
            socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
            socket.setReceiveBufferSize(SOCKET_BUFFER_BYTES);
            try {
                socket.connect(address, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                return socket;
            } catch (IOException e) {
                socket.close();
                last = e;
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("TcpProcessGroup.connect on rank " + rank + ": interrupted", interrupted);
                }
            }
        }
        throw new CollectiveTimeoutException("TcpProcessGroup.connect on rank " + rank + ": rank " + peer + " at " + address
                + " did not accept a connection in time (" + (last == null ? "no attempt" : last.getClass().getSimpleName() + ": "
                + last.getMessage()) + ")", List.of(peer));
    }

    /** Closes the listener; the links belong to the {@link WireTransfer} they are registered with. */
    @Override
    public void close() throws IOException {
        listener.close();
    }
}
