package dev.descent.core;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The shared CPU thread pool and the one way kernels split work: a range of indices cut into
 * contiguous chunks, the first run by the calling thread and the rest by pool workers.
 */
final class Parallel {
    /** A body that processes the indices {@code [start, end)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int start, int end);
    }

    private static volatile int threads = Descent.defaultThreads();
    private static volatile ForkJoinPool pool = newPool(threads);

    private Parallel() {
    }

    private static ForkJoinPool newPool(int size) {
        if (size <= 1) {
            return null;
        }
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> {
            ForkJoinWorkerThread worker = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            worker.setDaemon(true);
            worker.setName("descent-cpu-" + worker.getPoolIndex());
            return worker;
        };
        return new ForkJoinPool(size, factory, null, false);
    }

    static synchronized void resize(int size) {
        if (size == threads) {
            return;
        }
        ForkJoinPool old = pool;
        pool = newPool(size);
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
     * least {@code grain} indices each. Calls from inside any fork-join worker (this pool's, or a
     * parallel stream's) run serially, so nested kernels never wait on the pool they occupy.
     */
    static void forRange(int count, int grain, RangeBody body) {
        if (count <= 0) {
            return;
        }
        ForkJoinPool current = pool;
        // the pool's own size, not the field: a concurrent resize must not mix an old pool with a new count
        int size = current == null ? 1 : current.getParallelism();
        int chunks = (int) Math.min(size, (count + (long) grain - 1) / Math.max(1, grain));
        if (chunks <= 1 || Thread.currentThread() instanceof ForkJoinWorkerThread) {
            body.run(0, count);
            return;
        }
        @SuppressWarnings("unchecked")
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) count * c / chunks);
            int end = (int) ((long) count * (c + 1) / chunks);
            tasks[c - 1] = current.submit(() -> body.run(start, end));
        }
        RuntimeException failure = null;
        try {
            body.run(0, (int) ((long) count / chunks));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> task : tasks) {
            try {
                task.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
