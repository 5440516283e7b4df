package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.PoolingKernels.Window;
import dev.descent.core.cpu.CpuPoolingLoops.Plane;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector 2 x 2 max pooling against the scalar loop, bit for bit (values and argmax), on random
 * planes of every width up to 40 whose values are drawn from a small set full of ties, signed
 * zeros, infinities and NaN: the cases where "first equal to the maximum" and the scalar loop's
 * strict improvements could part.
 */
class VectorPoolingTest {
    private static final float[] NASTY = {0f, -0f, 1f, -1f, 2f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 1f, 0.5f};

    @Test
    void vectorWindowsMatchTheScalarLoopBitForBit() {
        assumeTrue(VectorSupport.PRESENT && VectorPooling.WIDE, "needs 512-bit vectors");
        Random random = new Random(13);
        for (int trial = 0; trial < 400; trial++) {
            int oh = 1 + random.nextInt(6);
            int ow = 1 + random.nextInt(40);
            int height = 2 * oh + random.nextInt(2);   // an odd last row is left out, as PyTorch's floor mode does
            int width = 2 * ow + random.nextInt(2);
            int rowStride = width + random.nextInt(3);
            int base = random.nextInt(5);
            boolean withNaN = trial % 4 == 0;
            float[] x = new float[base + height * rowStride];
            for (int i = 0; i < x.length; i++) {
                float v = NASTY[random.nextInt(NASTY.length)];
                x[i] = withNaN || !Float.isNaN(v) ? v : 3f;
            }
            Plane plane = new Plane(height, width, oh, ow, Window.of(2, 2, 0));
            float[] expected = new float[oh * ow + 3];
            int[] expectedIndices = new int[oh * ow + 3];
            for (int i = 0; i < oh; i++) {
                CpuPoolingLoops.maxPoolTwoByTwo(x, base, rowStride, plane, expected, 1, expectedIndices, 2, i, 0, ow);
            }
            float[] actual = new float[expected.length];
            int[] actualIndices = new int[expectedIndices.length];
            VectorPooling.maxPoolTwoByTwo(x, base, rowStride, width, oh, ow, actual, 1, actualIndices, 2,
                    (i, j0, count) -> CpuPoolingLoops.maxPoolTwoByTwo(x, base, rowStride, plane, actual, 1, actualIndices, 2, i, j0,
                            j0 + count));
            int[] expectedBits = new int[expected.length];
            int[] actualBits = new int[actual.length];
            for (int i = 0; i < expected.length; i++) {
                expectedBits[i] = Float.floatToRawIntBits(expected[i]);
                actualBits[i] = Float.floatToRawIntBits(actual[i]);
            }
            String where = "trial " + trial + ": " + oh + "x" + ow + " of " + height + "x" + width;
            assertArrayEquals(expectedBits, actualBits, "values, " + where);
            assertArrayEquals(expectedIndices, actualIndices, "argmax, " + where);
        }
    }
}
