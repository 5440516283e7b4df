package dev.descent.core.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The CPU kernels' threads: the calling thread plus {@code size - 1} daemon workers that run one
 * split range at a time. A job is handed over by publishing it in one volatile field; a worker
 * that has just finished a job spins on that field for {@link #SPIN_NANOS} before it parks.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: a training step issues dozens of
 * kernels of a few hundred microseconds each, and handing one to a parked pool worker and joining
 * it cost 50 to 85 microseconds on the development machine (a virtual machine, where waking a
 * thread is slow), most of a small kernel's time. A worker that is still spinning from the last
 * kernel picks the next one up within a microsecond, which is what OpenMP runtimes do too. The
 * spin is bounded, so an idle program does not hold a core.
 *
 * <p>One job runs at a time. A thread that finds the team busy (another thread's kernel), and a
 * kernel called from inside a job (on a worker, or in the caller's own chunk), run the range
 * themselves instead of waiting.
 */
final class WorkerTeam {
    /** How long an idle worker (and a caller waiting on workers) spins before parking. */
    static final long SPIN_NANOS = 200_000;

    /** One split range: chunk c covers {@code [count * c / chunks, count * (c + 1) / chunks)}. */
    private static final class Job {
        final Parallel.RangeBody body;
        final int count;
        final int chunks;
        final AtomicInteger remaining;
        volatile Throwable failure;

        Job(Parallel.RangeBody body, int count, int chunks) {
            this.body = body;
            this.count = count;
            this.chunks = chunks;
            this.remaining = new AtomicInteger(chunks - 1);
        }

        int bound(int chunk) {
            return (int) ((long) count * chunk / chunks);
        }

        void runChunk(int chunk) {
            body.run(bound(chunk), bound(chunk + 1));
        }
    }

    /** A worker thread of some team; kernels called on one run serially. */
    private static final class Worker extends Thread {
        final int chunk;
        volatile boolean parked;

        Worker(WorkerTeam team, int chunk) {
            super(team::work, "descent-cpu-" + chunk);
            this.chunk = chunk;
            setDaemon(true);
        }
    }

    private final Worker[] workers;
    private final ReentrantLock running = new ReentrantLock();
    private volatile Job job;
    private volatile Thread waitingCaller;
    private volatile boolean shutdown;

    /** A team of {@code size} threads: the caller and {@code size - 1} started workers. */
    WorkerTeam(int size) {
        workers = new Worker[size - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(this, w + 1);
        }
        for (Worker worker : workers) {
            worker.start();
        }
    }

    int size() {
        return workers.length + 1;
    }

    static boolean isWorker(Thread thread) {
        return thread instanceof Worker;
    }

    /**
     * Runs {@code body} over {@code [0, count)} in {@code chunks} (at most {@link #size()}) parts,
     * chunk 0 on the calling thread; returns false, having run nothing, when the team is busy.
     */
    boolean tryRun(int count, int chunks, Parallel.RangeBody body) {
        // a kernel called from the caller's own chunk must not replace the job the workers are on
        // (the lock is reentrant), so it runs serially like one called from a worker
        if (running.isHeldByCurrentThread() || !running.tryLock()) {
            return false;
        }
        try {
            Job current = new Job(body, count, chunks);
            job = current;
            for (int w = 0; w < chunks - 1; w++) {
                if (workers[w].parked) {
                    LockSupport.unpark(workers[w]);
                }
            }
            Throwable failure = null;
            try {
                current.runChunk(0);
            } catch (Throwable t) {
                failure = t;
            }
            awaitWorkers(current);
            if (failure == null) {
                failure = current.failure;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            if (failure != null) {
                throw new IllegalStateException("a parallel kernel failed", failure);
            }
            return true;
        } finally {
            running.unlock();
        }
    }

    /** Stops the workers once they finish what they run; the team takes no more jobs. */
    void shutdown() {
        shutdown = true;
        for (Worker worker : workers) {
            LockSupport.unpark(worker);
        }
    }

    private void awaitWorkers(Job current) {
        long start = System.nanoTime();
        int spins = 0;
        while (current.remaining.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                pause(++spins);
                continue;
            }
            waitingCaller = Thread.currentThread();
            if (current.remaining.get() > 0) {
                LockSupport.park(this);
            }
            waitingCaller = null;
        }
    }

    /**
     * One step of a spin. Every 64th gives the core away if another thread is waiting for it: with
     * more runnable threads than cores (a data-loading thread beside the kernels), a spinning
     * thread would otherwise hold the core that the thread it waits for needs.
     */
    private static void pause(int spins) {
        if ((spins & 63) == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    /** A worker's life: wait for a job it has a chunk in, run the chunk, report, repeat. */
    private void work() {
        Worker self = (Worker) Thread.currentThread();
        Job done = null;
        while (true) {
            Job next = awaitJob(self, done);
            if (next == null) {
                return;
            }
            done = next;
            if (self.chunk >= next.chunks) {
                continue;
            }
            try {
                next.runChunk(self.chunk);
            } catch (Throwable t) {
                next.failure = t;
            }
            if (next.remaining.decrementAndGet() == 0) {
                Thread caller = waitingCaller;
                if (caller != null) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    /** The first job other than {@code done}: spins a while, then parks; null after shutdown. */
    private Job awaitJob(Worker self, Job done) {
        long start = System.nanoTime();
        int spins = 0;
        while (true) {
            Job current = job;
            if (current != done && current != null) {
                return current;
            }
            if (shutdown) {
                return null;
            }
            if ((++spins & 63) != 0 || System.nanoTime() - start < SPIN_NANOS) {
                pause(spins);
                continue;
            }
            self.parked = true;
            if (job == done && !shutdown) {
                LockSupport.park(this);
            }
            self.parked = false;
            start = System.nanoTime();
        }
    }
}
