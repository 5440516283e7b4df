package dev.descent.core.cpu;

import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The shared CPU threads ({@link WorkerTeam}) and the one way kernels split work: a range of
 * indices cut into contiguous chunks, the first run by the calling thread and the rest by the
 * team's workers.
 */
final class Parallel {
    /** A body that processes the indices {@code [start, end)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int start, int end);
    }

    private static volatile int threads = defaultThreads();
    private static volatile WorkerTeam team = newTeam(threads);

    private Parallel() {
    }

    /** The thread count from {@code DESCENT_NUM_THREADS}, or the number of available cores. */
    private static int defaultThreads() {
        String configured = System.getenv("DESCENT_NUM_THREADS");
        if (configured == null || configured.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int count = Integer.parseInt(configured.trim());
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalStateException("DESCENT_NUM_THREADS must be a positive integer, got '" + configured + "'");
    }

    private static WorkerTeam newTeam(int size) {
        return size <= 1 ? null : new WorkerTeam(size);
    }

    static synchronized void resize(int size) {
        if (size == threads) {
            return;
        }
        WorkerTeam old = team;
        team = newTeam(size);
        threads = size;
        if (old != null) {
            old.shutdown();
        }
    }

    static int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, count)}, split into at most {@link #threads()} chunks of at
     * least {@code grain} indices each. Calls from inside a worker (this team's, or a fork-join
     * pool's such as a parallel stream's) run serially, so nested kernels never wait on the threads
     * they occupy; so does a call made while another thread's kernel has the team.
     */
    static void forRange(int count, int grain, RangeBody body) {
        if (count <= 0) {
            return;
        }
        WorkerTeam current = team;
        // the team's own size, not the field: a concurrent resize must not mix an old team with a new count
        int size = current == null ? 1 : current.size();
        int chunks = (int) Math.min(size, (count + (long) grain - 1) / Math.max(1, grain));
        Thread caller = Thread.currentThread();
        if (chunks <= 1 || WorkerTeam.isWorker(caller) || caller instanceof ForkJoinWorkerThread
                || !current.tryRun(count, chunks, body)) {
            body.run(0, count);
        }
    }
}
