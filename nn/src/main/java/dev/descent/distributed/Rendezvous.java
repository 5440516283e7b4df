package dev.descent.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The meeting point of an {@link InProcessGroup}'s members: one collective at a time, numbered.
 * Each member deposits its contribution and waits; the last to arrive checks that everyone called
 * the same collective on arrays of the same shape, computes the result once, and wakes the others.
 * A member still missing when the timeout runs out fails the call for everyone waiting, with the
 * missing ranks; the group is then broken (a later call fails at once), as a real group is after
 * a member dies.
 */
final class Rendezvous {
    final int worldSize;
    private final Duration timeout;
    private final Object lock = new Object();
    /** How long a waiting member spins before it parks. */
    static final long SPIN_NANOS = 200_000;
    /** Read without the lock while spinning; written under it. */
    private volatile long generation;
    private int arrived;
    private final String[] names;
    private final String[] shapes;
    private final Object[] deposits;
    private Object result;
    private RuntimeException failure;
    /** The collective that timed out, and whom it waited for: each waiting member's exception names itself. */
    private String timedOut;
    private List<Integer> missingRanks;
    private String broken;

    Rendezvous(int worldSize, Duration timeout) {
        this.worldSize = worldSize;
        this.timeout = timeout;
        this.names = new String[worldSize];
        this.shapes = new String[worldSize];
        this.deposits = new Object[worldSize];
    }

    /**
     * Joins collective {@code name} as {@code rank} with {@code deposit} and the {@code shape} all
     * must share; returns a one-element array holding what {@code combine} made of every member's
     * deposit, by rank.
     */
    Object[] meet(String name, int rank, Object deposit, String shape, Function<Object[], Object> combine) {
        long mine;
        synchronized (lock) {
            if (broken != null) {
                throw new IllegalStateException(name + " on rank " + rank + ": the group is broken: " + broken);
            }
            if (names[rank] != null) {
                throw new IllegalStateException(name + " on rank " + rank + ": rank " + rank + " is already in " + names[rank]
                        + "; a member calls one collective at a time");
            }
            mine = generation;
            names[rank] = name;
            shapes[rank] = shape;
            deposits[rank] = deposit;
            arrived++;
            if (arrived == worldSize) {
                finish(combine);
                return outcome(rank);
            }
        }
        spinWhileWaiting(mine);
        synchronized (lock) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (generation == mine) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    List<Integer> missing = new ArrayList<>();
                    for (int r = 0; r < worldSize; r++) {
                        if (names[r] == null) {
                            missing.add(r);
                        }
                    }
                    broken = name + " timed out after " + timeout.toMillis() + " ms waiting for rank(s) " + missing;
                    timedOut = name;
                    missingRanks = List.copyOf(missing);
                    generation++;
                    lock.notifyAll();
                    break;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(name + " on rank " + rank + ": interrupted while waiting for the other members", e);
                }
            }
            return outcome(rank);
        }
    }

    /**
     * Replicas meet several times a step, and waking a thread parked in {@link Object#wait} took
     * 50 to 85 microseconds on the development machine; the last member usually arrives sooner,
     * so a waiting member first spins a while (giving the core away now and then, in case the
     * member it waits for needs it).
     */
    private void spinWhileWaiting(long mine) {
        long until = System.nanoTime() + SPIN_NANOS;
        for (int spins = 1; generation == mine && System.nanoTime() < until; spins++) {
            if ((spins & 63) == 0) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** The result (or failure) of the collective that just finished, as seen by {@code rank} (caller holds the lock). */
    private Object[] outcome(int rank) {
        if (timedOut != null) {
            throw new CollectiveTimeoutException(timedOut + " on rank " + rank + ": rank(s) " + missingRanks + " of " + worldSize
                    + " did not join within " + timeout.toMillis() + " ms", missingRanks);
        }
        if (failure != null) {
            throw failure;
        }
        return new Object[] {result};
    }

    /** The last member is in: check the calls agree, combine, and release everyone (caller holds the lock). */
    private void finish(Function<Object[], Object> combine) {
        failure = null;
        result = null;
        for (int r = 1; r < worldSize; r++) {
            if (!names[r].equals(names[0]) || !shapes[r].equals(shapes[0])) {
                StringBuilder calls = new StringBuilder();
                for (int m = 0; m < worldSize; m++) {
                    calls.append(m == 0 ? "" : "; ").append("rank ").append(m).append(": ").append(names[m]).append(' ').append(shapes[m]);
                }
                failure = new IllegalArgumentException("collective mismatch: every member must call the same collective on arrays of the same"
                        + " dtype and shape, got " + calls);
                break;
            }
        }
        if (failure == null) {
            try {
                result = combine.apply(deposits.clone());
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        java.util.Arrays.fill(names, null);
        java.util.Arrays.fill(shapes, null);
        java.util.Arrays.fill(deposits, null);
        arrived = 0;
        generation++;
        lock.notifyAll();
    }
}
