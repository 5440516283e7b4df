package dev.descent.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark master URL as {@code descent spark-mnist} checks it before starting Spark: a local
 * master's task slots and task attempts ({@code local[N,F]}: N threads, F attempts per task), and
 * whether a standalone master ({@code spark://host:port[,host:port]}) answers at all, which Spark
 * itself would find out only after three registration attempts 20 s apart.
 *
 * @param url       the URL as given
 * @param localSlots the tasks a local master runs at once, or 0 for a cluster master
 * @param localTaskAttempts F of {@code local[N,F]}, or 0 when not given (Spark's default for local mode: 1)
 */
record SparkMaster(String url, int localSlots, int localTaskAttempts) {
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|[0-9]+)(?:,([0-9]+))?])?");
    /** How long the check waits for each standalone master to accept a connection. */
    static final int CONNECT_TIMEOUT_MILLIS = 3000;

    /** Parses {@code url}; a malformed local master is bad usage naming the forms Spark accepts. */
    static SparkMaster parse(String url) {
        if (url == null || url.isBlank()) {
            throw new UsageException("spark-mnist: --master is empty; give local[N], local[N,F] or spark://host:port");
        }
        if (!url.startsWith("local")) {
            return new SparkMaster(url, 0, 0);
        }
        if (url.startsWith("local-cluster")) {
            return new SparkMaster(url, 0, 0);
        }
        Matcher local = LOCAL.matcher(url);
        if (!local.matches()) {
            throw new UsageException("spark-mnist: --master " + url + " is not a local master Spark knows: local, local[N], local[*] or"
                    + " local[N,F] (N task slots, F attempts per task)");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int slots = local.group(1) == null ? 1 : local.group(1).equals("*") ? cores : Integer.parseInt(local.group(1));
        if (slots < 1) {
            throw new UsageException("spark-mnist: --master " + url + " has no task slots; give local[N] with N >= 1");
        }
        int attempts = local.group(2) == null ? 0 : Integer.parseInt(local.group(2));
        return new SparkMaster(url, slots, attempts);
    }

    boolean isLocal() {
        return localSlots > 0;
    }

    /**
     * For a standalone master, refuses the run when none of its addresses accepts a TCP connection
     * within {@value #CONNECT_TIMEOUT_MILLIS} ms; other cluster managers are left to Spark.
     */
    void checkReachable() {
        if (!url.startsWith("spark://")) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String address : url.substring("spark://".length()).split(",")) {
            int colon = address.lastIndexOf(':');
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new UsageException("spark-mnist: --master " + url + ": '" + address + "' is not host:port");
            }
            String host = colon < 0 ? address : address.substring(0, colon);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
                return;   // one master answers: Spark finds the leader among them
            } catch (IOException | IllegalArgumentException e) {
                problems.add(address + " (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")");
            }
        }
        throw new UsageException("spark-mnist: --master " + url + ": no Spark master answers at " + String.join(", ", problems)
                + "; start one (sbin/start-master.sh) or give local[N]");
    }
}
