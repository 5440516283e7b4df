package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GeneratorTest {

    /** Values from tools/xoshiro_reference.py, an independent implementation of SplitMix64 + xoshiro256**. */
    @Test
    void streamMatchesTheIndependentReference() {
        assertArrayEquals(new long[] {-7355399402456485196L, -4652746763540216534L, 1900383378846508768L, 7684712102626143532L}, draws(0));
        assertArrayEquals(new long[] {1546998764402558742L, 6990951692964543102L, -5902157311460992607L, -1389169964527427423L}, draws(42));
        assertArrayEquals(new long[] {-935278008730389822L, -2984799092062921764L, 8317729841091847865L, 7641945841512210337L}, draws(-7));
        Generator g = new Generator(42);
        assertEquals(0.08386297105988216, g.nextDouble(), 0);
        assertEquals(0.3789802506626686, g.nextDouble(), 0);
        assertEquals(0.6800434110281394, g.nextDouble(), 0);
    }

    private static long[] draws(long seed) {
        Generator g = new Generator(seed);
        return new long[] {g.nextLong(), g.nextLong(), g.nextLong(), g.nextLong()};
    }

    @Test
    void manualSeedRestartsTheStreamAndSplitGivesAnIndependentOne() {
        Generator g = new Generator(5);
        double first = g.nextGaussian();
        g.nextGaussian();
        g.manualSeed(5);
        assertEquals(first, g.nextGaussian(), 0);
        Generator child = new Generator(5).split();
        assertNotEquals(new Generator(5).nextLong(), child.nextLong());
    }

    @Test
    void aRestoredStateContinuesWithTheSameDraws() {
        // after an odd number of normals a second one is waiting: the state must carry it
        for (int k : new int[] {0, 1, 2, 7, 100}) {
            Generator original = new Generator(11);
            mixedDraws(original, k);
            long[] state = original.state();
            Generator restored = new Generator(999);
            restored.nextGaussian();
            restored.setState(state);
            assertArrayEquals(mixedDraws(original, 40), mixedDraws(restored, 40), "after " + k + " draws");
            assertArrayEquals(original.state(), restored.state());
        }
    }

    /** {@code n} draws of every kind, as bits, so that a comparison is exact. */
    private static long[] mixedDraws(Generator g, int n) {
        long[] bits = new long[n];
        for (int i = 0; i < n; i++) {
            bits[i] = switch (i % 5) {
                case 0 -> g.nextLong();
                case 1, 3 -> Double.doubleToRawLongBits(g.nextGaussian());
                case 2 -> g.nextInt(1000);
                default -> Double.doubleToRawLongBits(g.nextDouble());
            };
        }
        return bits;
    }

    @Test
    void setStateRefusesWhatNoGeneratorCouldBeIn() {
        Generator g = new Generator(3);
        long[] before = g.state();
        IllegalArgumentException shortState = assertThrows(IllegalArgumentException.class, () -> g.setState(new long[4]));
        assertTrue(shortState.getMessage().contains("expected the 6 words") && shortState.getMessage().contains("got 4"),
                shortState.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.setState(null));
        IllegalArgumentException zeros = assertThrows(IllegalArgumentException.class, () -> g.setState(new long[6]));
        assertTrue(zeros.getMessage().contains("all zero"), zeros.getMessage());
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class, () -> g.setState(new long[] {1, 2, 3, 4, 5, 0}));
        assertTrue(flag.getMessage().contains("must be 0 or 1, got 5"), flag.getMessage());
        assertArrayEquals(before, g.state(), "a refused state leaves the generator as it was");
    }

    @Test
    void uniformDrawsHaveTheMomentsOfUniformZeroOne() {
        Generator g = new Generator(1);
        int n = 200_000;
        double sum = 0;
        double sumSquares = 0;
        for (int i = 0; i < n; i++) {
            double u = g.nextDouble();
            assertTrue(u >= 0 && u < 1);
            sum += u;
            sumSquares += u * u;
        }
        double mean = sum / n;
        // standard error of the mean is sqrt(1/12 / n) ~ 6.5e-4; allow 5 of them
        assertEquals(0.5, mean, 3.3e-3);
        assertEquals(1.0 / 12, sumSquares / n - mean * mean, 2e-3);
        float f = new Generator(2).nextFloat();
        assertTrue(f >= 0 && f < 1);
    }

    @Test
    void gaussianDrawsHaveTheMomentsOfAStandardNormal() {
        Generator g = new Generator(3);
        int n = 200_000;
        double sum = 0;
        double sumSquares = 0;
        double sumFourth = 0;
        for (int i = 0; i < n; i++) {
            double z = g.nextGaussian();
            sum += z;
            sumSquares += z * z;
            sumFourth += z * z * z * z;
        }
        assertEquals(0, sum / n, 0.012);
        assertEquals(1, sumSquares / n, 0.015);
        assertEquals(3, sumFourth / n, 0.08); // kurtosis of a normal
    }

    @Test
    void nextIntIsUniformOverItsBoundAndRejectsBadBounds() {
        Generator g = new Generator(4);
        int[] counts = new int[7];
        int n = 70_000;
        for (int i = 0; i < n; i++) {
            counts[g.nextInt(7)]++;
        }
        for (int count : counts) {
            assertEquals(10_000, count, 500);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.nextInt(0));
        assertTrue(e.getMessage().contains("bound must be positive, got 0"), e.getMessage());
    }

    @Test
    void randomArraysAreReproducibleAndIndependentOfThreadCount() {
        int before = Descent.numThreads();
        try {
            Descent.setNumThreads(1);
            NDArray one = NDArray.randn(new Generator(9), 300, 200);
            Descent.setNumThreads(2);
            NDArray two = NDArray.randn(new Generator(9), 300, 200);
            assertEquals(one, two);
        } finally {
            Descent.setNumThreads(before);
        }
        Generator g = new Generator(9);
        double[] expected = new double[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = (float) g.nextGaussian();
        }
        assertArrayEquals(expected, NDArray.randn(new Generator(9), 2, 3).toDoubleArray(), 0);
    }

    @Test
    void randBernoulliAndRandnArraysHaveTheRightDistributions() {
        Generator g = new Generator(11);
        NDArray u = NDArray.rand(DType.FLOAT64, g, 100_000);
        assertEquals(0.5, u.mean().item(), 0.005);
        assertTrue(u.min().item() >= 0 && u.max().item() < 1);
        NDArray b = NDArray.bernoulli(0.3, g, 100_000);
        assertEquals(DType.FLOAT32, b.dtype());
        assertEquals(0.3, b.mean().item(), 0.005);
        assertEquals(b.size(), b.eq(0).add(b.eq(1)).sum().item(), 0);
        NDArray z = NDArray.randn(g, 100_000);
        assertEquals(0, z.mean().item(), 0.01);
        assertEquals(1, z.std().item(), 0.01);
        assertThrows(IllegalArgumentException.class, () -> NDArray.bernoulli(1.5, g, 3));
        assertThrows(IllegalArgumentException.class, () -> NDArray.rand(DType.INT32, g, 3));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> NDArray.randn(null, 3));
        assertTrue(missing.getMessage().contains("randn: a Generator is required"), missing.getMessage());
    }
}
