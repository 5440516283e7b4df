package dev.descent.core;

/**
 * A seeded pseudo-random number generator: the same seed gives the same numbers on every
 * platform and JVM, so experiments can be repeated exactly.
 *
 * <p>The engine is xoshiro256** (Blackman and Vigna, 2018), 256 bits of state with period
 * 2<sup>256</sup>&minus;1; its state is filled from the 64-bit seed with SplitMix64, which never
 * yields the all-zero state. Derived draws:
 * <ul>
 *   <li>{@link #nextDouble()}: the top 53 bits of a draw scaled by 2<sup>-53</sup>, uniform on [0, 1);</li>
 *   <li>{@link #nextFloat()}: the top 24 bits scaled by 2<sup>-24</sup>, uniform on [0, 1);</li>
 *   <li>{@link #nextGaussian()}: the Box&ndash;Muller transform. Two uniforms u<sub>1</sub> in (0, 1]
 *       and u<sub>2</sub> in [0, 1) give r = sqrt(&minus;2 ln u<sub>1</sub>) and the pair
 *       (r cos 2&pi;u<sub>2</sub>, r sin 2&pi;u<sub>2</sub>) of independent standard normals; the
 *       second is kept for the next call. Only {@code StrictMath} is used, so results are
 *       bit-identical everywhere.</li>
 * </ul>
 *
 * <pre>{@code
 * Generator g = new Generator(42);
 * NDArray noise = NDArray.randn(g, 128, 784);
 * }</pre>
 * A generator is not thread-safe; give each thread its own (see {@link #split()}).
 */
public final class Generator {
    /** The number of words in {@link #state()}. */
    public static final int STATE_LENGTH = 6;
    private long s0;
    private long s1;
    private long s2;
    private long s3;
    private double spareGaussian;
    private boolean hasSpareGaussian;

    /** A generator whose stream is fully determined by {@code seed}. */
    public Generator(long seed) {
        manualSeed(seed);
    }

    /** Restarts the stream from {@code seed}, as a new {@code Generator(seed)} would. */
    public void manualSeed(long seed) {
        s0 = CounterStream.bits(seed, 0);
        s1 = CounterStream.bits(seed, 1);
        s2 = CounterStream.bits(seed, 2);
        s3 = CounterStream.bits(seed, 3);
        hasSpareGaussian = false;
    }

    /** The next 64 uniformly distributed bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform on [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform on [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform integer in [0, bound), without modulo bias (Lemire's multiply-and-reject). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Generator.nextInt: bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** A standard normal draw (mean 0, variance 1) by the Box&ndash;Muller transform. */
    public double nextGaussian() {
        if (hasSpareGaussian) {
            hasSpareGaussian = false;
            return spareGaussian;
        }
        double u1 = 1.0 - nextDouble(); // in (0, 1], so the log is finite
        double u2 = nextDouble();
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double angle = 2.0 * Math.PI * u2;
        spareGaussian = radius * StrictMath.sin(angle);
        hasSpareGaussian = true;
        return radius * StrictMath.cos(angle);
    }

    /**
     * A new generator whose stream is determined by this one's next draw; this one advances by
     * one draw. Use it to hand independent, reproducible streams to workers.
     */
    public Generator split() {
        return new Generator(nextLong());
    }

    /**
     * Everything that decides the next draws, for checkpoints: the four words of xoshiro256**,
     * then 1 if a second Box&ndash;Muller normal is waiting (0 if not), then that normal's bits. A
     * generator given this by {@link #setState} makes exactly the draws this one would make next.
     * Longs rather than bytes so that a JSON file holds them exactly.
     */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, hasSpareGaussian ? 1 : 0, Double.doubleToRawLongBits(spareGaussian)};
    }

    /** Continues from a {@link #state()} taken earlier, from this generator or another one. */
    public void setState(long[] state) {
        if (state == null || state.length != STATE_LENGTH) {
            throw new IllegalArgumentException("Generator.setState: expected the " + STATE_LENGTH + " words of Generator.state(), got "
                    + (state == null ? "null" : state.length + " words"));
        }
        if ((state[0] | state[1] | state[2] | state[3]) == 0) {
            // xoshiro's one forbidden state: it would yield zeros forever
            throw new IllegalArgumentException("Generator.setState: the four xoshiro256** words are all zero, which no generator reaches");
        }
        if (state[4] != 0 && state[4] != 1) {
            throw new IllegalArgumentException("Generator.setState: word 4 says whether a normal draw is waiting and must be 0 or 1, got "
                    + state[4]);
        }
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
        hasSpareGaussian = state[4] == 1;
        spareGaussian = Double.longBitsToDouble(state[5]);
    }
}
