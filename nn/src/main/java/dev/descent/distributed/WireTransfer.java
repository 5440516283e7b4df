package dev.descent.distributed;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

/**
 * The byte mover under {@link TcpProcessGroup}: non-blocking socket channels driven by one
 * selector, so that the member's one thread sends and receives at the same time (the ring's
 * exchanges need both directions at once, and a second thread per send cost a hand-off per step)
 * and a wait is bounded by the group's timeout.
 *
 * <p>The wire format: on each link, every collective's message is an 8-byte little-endian header
 * (the element count of the sender's buffer, then its dtype's ordinal), then the elements in the
 * buffer's own dtype, little-endian (the native order of every machine Descent runs on, so packing
 * is a memory copy). Bytes move straight between the channels and direct buffers.
 */
final class WireTransfer implements Closeable {
    static final int HEADER_BYTES = 8;
    /**
     * Received data is handed on (reduced, forwarded) in pieces of at most this size, so that the
     * next member's sending starts while the rest of a chunk is still arriving; large enough that
     * the per-piece overhead (a callback, two bulk copies) stays well under the copies themselves.
     */
    static final int SEGMENT_BYTES = 512 * 1024;

    /** A connection to member {@code rank}, registered with this transfer's selector. */
    record Link(int rank, SocketChannel channel, SelectionKey key) {
    }

    /** A handler of data that has arrived: bytes [{@code from}, {@code to}) of incoming part {@code part}. */
    interface Arrival {
        void arrived(int part, int from, int to);
    }

    /** Bytes leaving on one link: the header, then the parts in order, of which only the first {@link #ready} bytes may go yet. */
    static final class Outgoing {
        final Link link;
        final ByteBuffer header;
        final ByteBuffer[] parts;
        /** Data bytes (after the header) that exist yet: the ring forwards a chunk while it is still being reduced. */
        long ready;
        private int part;
        private long before;

        Outgoing(Link link, int count, int dtype, ByteBuffer[] parts, long ready) {
            this.link = link;
            this.header = header(count, dtype);
            this.parts = parts;
            this.ready = ready;
            skipEmpty();
        }

        boolean done() {
            return !header.hasRemaining() && part == parts.length;
        }

        /** Whether bytes could go now (not waiting for data to become ready). */
        boolean writable() {
            return header.hasRemaining() || (part < parts.length && ready - before > parts[part].position());
        }

        private void skipEmpty() {
            while (part < parts.length && parts[part].position() == parts[part].capacity()) {
                before += parts[part].capacity();
                part++;
            }
        }
    }

    /** Bytes arriving on one link: the header (checked against this member's count and dtype), then the parts in order. */
    static final class Incoming {
        final Link link;
        final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        final int count;
        final int dtype;
        final ByteBuffer[] parts;
        final Arrival arrival;
        private int part;
        private int handed;

        Incoming(Link link, int count, int dtype, ByteBuffer[] parts, Arrival arrival) {
            this.link = link;
            this.count = count;
            this.dtype = dtype;
            this.parts = parts;
            this.arrival = arrival;
        }

        boolean done() {
            return !header.hasRemaining() && part == parts.length;
        }
    }

    private final int rank;
    private final Duration timeout;
    private final Selector selector;

    WireTransfer(int rank, Duration timeout) throws IOException {
        this.rank = rank;
        this.timeout = timeout;
        this.selector = Selector.open();
    }

    /** Makes {@code channel} non-blocking and registers it. */
    Link register(int peer, SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        return new Link(peer, channel, channel.register(selector, 0));
    }

    private static ByteBuffer header(int count, int dtype) {
        return ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, count).putInt(4, dtype);
    }

    /**
     * Moves every outgoing and incoming message to its end, all at once. Fails with a
     * {@link CollectiveTimeoutException} when nothing moves for the timeout, naming the first member
     * this one is waiting to hear from (else the first that does not take its bytes).
     */
    void run(String what, List<Outgoing> outgoing, List<Incoming> incoming) {
        long idleSince = System.nanoTime();
        try {
            while (true) {
                boolean moved = false;
                boolean pending = false;
                // writes first: this member's header leaves before a check of a received one can fail the call, so the
                // members after it report the mismatch they see instead of a closed connection
                for (Outgoing out : outgoing) {
                    if (!out.done()) {
                        moved |= write(out);
                    }
                }
                for (Incoming in : incoming) {
                    if (!in.done()) {
                        moved |= read(what, in);
                        pending |= !in.done();
                    }
                }
                for (Outgoing out : outgoing) {
                    pending |= !out.done();
                }
                if (!pending) {
                    return;
                }
                if (moved) {
                    idleSince = System.nanoTime();
                    continue;
                }
                long left = timeout.toNanos() - (System.nanoTime() - idleSince);
                if (left <= 0) {
                    throw timedOut(what, outgoing, incoming);
                }
                for (SelectionKey key : selector.keys()) {
                    key.interestOps(0);
                }
                for (Incoming in : incoming) {
                    if (!in.done()) {
                        in.link.key().interestOps(in.link.key().interestOps() | SelectionKey.OP_READ);
                    }
                }
                for (Outgoing out : outgoing) {
                    if (out.writable()) {
                        out.link.key().interestOps(out.link.key().interestOps() | SelectionKey.OP_WRITE);
                    }
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException(what + " on rank " + rank + ": the connection failed: " + e, e);
        }
    }

    private boolean read(String what, Incoming in) throws IOException {
        boolean moved = false;
        if (in.header.hasRemaining()) {
            moved = fill(what, in, in.header);
            if (in.header.hasRemaining()) {
                return moved;
            }
            check(what, in);
        }
        while (in.part < in.parts.length) {
            ByteBuffer into = in.parts[in.part];
            if (into.hasRemaining()) {
                int before = into.position();
                moved |= fill(what, in, into);
                if (into.position() == before) {
                    return moved;
                }
            }
            // a read ends anywhere, even inside an element: hand on whole 8-byte words only (parts hold whole elements, so a
            // complete part ends on an element), else the element split between two hand-offs would be reduced by neither
            int arrived = into.hasRemaining() ? into.position() & ~7 : into.position();
            if (arrived - in.handed >= SEGMENT_BYTES || !into.hasRemaining()) {
                if (arrived > in.handed) {
                    in.arrival.arrived(in.part, in.handed, arrived);
                }
                in.handed = arrived;
            }
            if (into.hasRemaining()) {
                return moved;
            }
            in.part++;
            in.handed = 0;
        }
        return moved;
    }

    private boolean fill(String what, Incoming in, ByteBuffer into) throws IOException {
        int n = in.link.channel().read(into);
        if (n < 0) {
            throw new IllegalStateException(what + " on rank " + rank + ": rank " + in.link.rank() + " closed its connection");
        }
        return n > 0;
    }

    private void check(String what, Incoming in) {
        int count = in.header.getInt(0);
        int dtype = in.header.getInt(4);
        if (count != in.count) {
            throw new IllegalArgumentException(what + " on rank " + rank + ": rank " + in.link.rank() + " sent " + count
                    + " values where this member has " + in.count + "; every member must call the same collective on arrays of the same"
                    + " size");
        }
        if (dtype != in.dtype) {
            throw new IllegalArgumentException(what + " on rank " + rank + ": rank " + in.link.rank() + " sent "
                    + WireElements.name(dtype) + " values where this member has " + WireElements.name(in.dtype)
                    + "; every member must call the same collective on arrays of the same dtype");
        }
    }

    private static boolean write(Outgoing out) throws IOException {
        if (!out.writable()) {
            return false;
        }
        long written;
        if (out.part == out.parts.length) {
            written = out.link.channel().write(out.header);
        } else {
            ByteBuffer data = out.parts[out.part];
            data.limit((int) Math.min(data.capacity(), out.ready - out.before));
            // one system call for the header and the first bytes: a small message leaves as one packet
            written = out.header.hasRemaining() ? out.link.channel().write(new ByteBuffer[] {out.header, data})
                    : out.link.channel().write(data);
            if (data.position() == data.capacity()) {
                out.before += data.capacity();
                out.part++;
                out.skipEmpty();
            }
        }
        return written > 0;
    }

    private CollectiveTimeoutException timedOut(String what, List<Outgoing> outgoing, List<Incoming> incoming) {
        int peer = -1;
        for (Incoming in : incoming) {
            if (!in.done()) {
                peer = in.link.rank();
                break;
            }
        }
        for (int i = 0; peer < 0 && i < outgoing.size(); i++) {
            if (outgoing.get(i).writable()) {
                peer = outgoing.get(i).link.rank();
            }
        }
        return new CollectiveTimeoutException(what + " on rank " + rank + ": rank " + peer + " did not answer within "
                + timeout.toMillis() + " ms", List.of(peer));
    }

    @Override
    public void close() throws IOException {
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }
}
