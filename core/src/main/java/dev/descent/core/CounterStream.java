package dev.descent.core;

/**
 * The counter-based random stream: element {@code index} for a key is SplitMix64's output for the
 * counter {@code key + (index + 1) GOLDEN_GAMMA}. It depends only on the key and the position, so
 * a Bernoulli fill ({@link Backend.Distribution#BERNOULLI}) vectorizes, splits across threads, and
 * with the same key gives the same mask on every device (each backend's kernels compute the same
 * hash from these constants); {@link Generator} seeds its state from it.
 */
public final class CounterStream {
    /** The increment of SplitMix64's counter (the golden ratio in 64 bits). */
    public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** The two multipliers of SplitMix64's finalizer (Stafford's mix 13). */
    public static final long MIX_MULTIPLIER_1 = 0xBF58476D1CE4E5B9L;
    public static final long MIX_MULTIPLIER_2 = 0x94D049BB133111EBL;

    private CounterStream() {
    }

    /** Element {@code index} of the stream keyed by {@code key}. */
    public static long bits(long key, long index) {
        long z = key + (index + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * MIX_MULTIPLIER_1;
        z = (z ^ (z >>> 27)) * MIX_MULTIPLIER_2;
        return z ^ (z >>> 31);
    }
}
