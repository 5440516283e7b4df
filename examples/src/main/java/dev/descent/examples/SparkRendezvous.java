package dev.descent.examples;

import dev.descent.distributed.TcpProcessGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;

/**
 * Forms a {@link TcpProcessGroup} from the tasks of one Spark barrier stage: rank = partition id,
 * world size = number of tasks. Rank 0 binds a listener on a port the system chooses (so no port
 * is guessed, and none can be taken between choosing and binding), every task learns rank 0's
 * {@code host:port} through {@link BarrierTaskContext#allGather} (Spark's channel, used for this
 * control data only), and the gradients then travel over the group's own sockets.
 */
final class SparkRendezvous {
    private SparkRendezvous() {
    }

    /** Joins this barrier task's group; a member that does not arrive within {@code timeout} is an error naming it. */
    static TcpProcessGroup join(BarrierTaskContext context, Duration timeout) throws IOException {
        int rank = context.partitionId();
        int worldSize = context.getTaskInfos().length;
        // rank 0's listener accepts every member's first connection: a backlog of the world size
        try (ServerSocket listener = rank == 0 ? new ServerSocket(0, worldSize) : null) {
            String published = listener == null ? "" : host() + ":" + listener.getLocalPort();
            String[] everyone = context.allGather(published);
            InetSocketAddress rendezvous = parse(everyone[0]);
            return TcpProcessGroup.connect(rank, worldSize, listener, rendezvous, timeout, TcpProcessGroup.DEFAULT_RING_THRESHOLD_BYTES);
        }
    }

    /** The host the other executors reach this one at: the one its block manager advertises to them. */
    private static String host() {
        SparkEnv env = SparkEnv.get();
        return env != null ? env.blockManager().blockManagerId().host() : "127.0.0.1";
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalStateException("spark rendezvous: rank 0 published '" + hostPort + "', not host:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);   // an IPv6 literal
        }
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
