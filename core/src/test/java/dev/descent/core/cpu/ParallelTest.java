package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Descent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Parallel#forRange} on the {@link WorkerTeam}: coverage, failures, nesting and concurrent callers. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)  // a lost hand-off hangs; fail instead
class ParallelTest {
    private final int originalThreads = Descent.numThreads();

    @AfterEach
    void restore() {
        Descent.setNumThreads(originalThreads);
    }

    @Test
    void everyIndexRunsExactlyOnceOverManyBackToBackJobs() {
        Descent.setNumThreads(3);
        for (int job = 0; job < 2000; job++) {
            int count = job % 97;
            int[] hits = new int[count];
            Parallel.forRange(count, 1, (start, end) -> {
                for (int i = start; i < end; i++) {
                    hits[i]++;
                }
            });
            int[] once = new int[count];
            java.util.Arrays.fill(once, 1);
            assertArrayEquals(once, hits, "job " + job);
        }
    }

    @Test
    void workersShareTheRangeWithTheCaller() {
        Descent.setNumThreads(2);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        for (int job = 0; job < 200 && threads.size() < 2; job++) {
            Parallel.forRange(2, 1, (start, end) -> threads.add(Thread.currentThread()));
        }
        assertEquals(2, threads.size(), "two chunks ran on two threads");
        assertTrue(threads.contains(Thread.currentThread()), "the caller runs the first chunk");
    }

    @Test
    void aFailureInAWorkerChunkReachesTheCallerAndTheTeamKeepsWorking() {
        Descent.setNumThreads(2);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forRange(2, 1, (start, end) -> {
            if (start == 1) {
                throw new IllegalStateException("chunk 1 failed");
            }
        }));
        assertEquals("chunk 1 failed", thrown.getMessage());
        AtomicInteger sum = new AtomicInteger();
        Parallel.forRange(100, 1, (start, end) -> sum.addAndGet(end - start));
        assertEquals(100, sum.get());
    }

    @Test
    void nestedCallsRunSeriallyInsteadOfWaitingOnTheirOwnTeam() {
        Descent.setNumThreads(2);
        AtomicInteger inner = new AtomicInteger();
        for (int job = 0; job < 500; job++) {
            // chunk 0 nests on the calling thread, chunk 1 on the worker
            Parallel.forRange(2, 1, (start, end) -> Parallel.forRange(1000, 1, (s, e) -> inner.addAndGet(e - s)));
        }
        assertEquals(500 * 2000, inner.get());
    }

    @Test
    void concurrentCallersEachGetTheirWholeRange() throws InterruptedException {
        Descent.setNumThreads(2);
        int callers = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            threads[c] = new Thread(() -> {
                try {
                    start.await();
                    for (int job = 0; job < 500; job++) {
                        AtomicInteger covered = new AtomicInteger();
                        Parallel.forRange(1000, 1, (s, e) -> covered.addAndGet(e - s));
                        assertEquals(1000, covered.get());
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            threads[c].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertSame(null, failure.get(), () -> "a caller failed: " + failure.get());
    }

    @Test
    void resizingReplacesTheTeamAndWorkResumesAfterWorkersHaveParked() throws InterruptedException {
        Descent.setNumThreads(2);
        Thread.sleep(2 * WorkerTeam.SPIN_NANOS / 1_000_000 + 5);  // the workers are parked by now
        AtomicInteger sum = new AtomicInteger();
        Parallel.forRange(10, 1, (start, end) -> sum.addAndGet(end - start));
        Descent.setNumThreads(4);
        Parallel.forRange(10, 1, (start, end) -> sum.addAndGet(end - start));
        Descent.setNumThreads(1);
        Parallel.forRange(10, 1, (start, end) -> sum.addAndGet(end - start));
        assertEquals(30, sum.get());
    }
}
