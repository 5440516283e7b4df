package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.Descent;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

/** Bernoulli fills on the CPU follow the documented counter-based stream on the vector and plain paths, on any thread count. */
class BernoulliFillTest {

    @Test
    void bernoulliFollowsTheCounterBasedStreamOnEveryPathAndThreadCount() {
        boolean original = VectorSupport.enabled;
        int threads = Descent.numThreads();
        try {
            int n = 70_001;  // not a multiple of the eight lanes, and split between threads
            float[] reference = new float[n];
            long key = new Generator(21).nextLong();
            for (int i = 0; i < n; i++) {
                // the documented definition, written out: SplitMix64 of key + (i + 1) gamma, top 53 bits below p 2^53
                long z = key + (i + 1L) * 0x9E3779B97F4A7C15L;
                z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
                z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
                z ^= z >>> 31;
                reference[i] = (z >>> 11) * 0x1.0p-53 < 0.7 ? 2.5f : 0f;
            }
            for (boolean vector : new boolean[] {true, false}) {
                for (int t : new int[] {1, 2}) {
                    VectorSupport.enabled = vector;
                    Descent.setNumThreads(t);
                    Generator g = new Generator(21);
                    NDArray mask = NDArray.bernoulli(0.7, 2.5, g, n);
                    assertArrayEquals(reference, mask.toFloatArray(), 0f, (vector ? "vector" : "plain") + ", " + t + " threads");
                    Generator advancedByOne = new Generator(21);
                    advancedByOne.nextLong();
                    assertEquals(advancedByOne.nextLong(), g.nextLong(), "the generator advanced by one draw");
                }
            }
        } finally {
            VectorSupport.enabled = original;
            Descent.setNumThreads(threads);
        }
    }
}
