package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API elementwise kernels agree bit for bit with the plain-Java strided loops, on
 * rows of every length around the vector width, at offsets, with broadcast operands, and on the
 * special values (NaN, infinities, signed zeros) where SIMD min/max could differ from Math.max.
 */
class VectorKernelsTest {
    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e-40f, -3.5f, 2f};

    private static float[] data(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = random.nextInt(5) == 0 ? SPECIAL[random.nextInt(SPECIAL.length)] : (float) random.nextGaussian() * 3;
        }
        return values;
    }

    @Test
    void binaryKernelsMatchTheScalarLoopsBitForBit() {
        assertTrue(VectorSupport.PRESENT, "the test JVM runs with jdk.incubator.vector");
        Random random = new Random(8);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM, BinaryOp.MINIMUM}) {
            for (int n = 0; n < 70; n++) {
                for (int[] strides : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                    float[] a = data(random, n + 5);
                    float[] b = data(random, n + 5);
                    int ao = random.nextInt(3);
                    int bo = random.nextInt(3);
                    float[] vector = new float[n + 4];
                    float[] scalar = new float[n + 4];
                    assertTrue(VectorKernels.binary(op, a, ao, strides[0], b, bo, strides[1], vector, 2, n));
                    FloatKernels.binaryStrided(op, a, ao, strides[0], b, bo, strides[1], scalar, 2, 1, n);
                    for (int i = 0; i < vector.length; i++) {
                        assertEquals(Float.floatToRawIntBits(scalar[i]) == Float.floatToRawIntBits(vector[i]) || (Float.isNaN(scalar[i])
                                && Float.isNaN(vector[i])), true, op + " n=" + n + " strides " + strides[0] + "," + strides[1] + " at " + i
                                + ": scalar " + scalar[i] + " vector " + vector[i]);
                    }
                }
            }
        }
    }

    @Test
    void unaryKernelsMatchTheScalarLoopsBitForBit() {
        Random random = new Random(9);
        for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQUARE, UnaryOp.RELU, UnaryOp.SQRT, UnaryOp.SIGN}) {
            for (int n = 0; n < 70; n++) {
                float[] x = data(random, n + 3);
                float[] vector = new float[n + 1];
                float[] scalar = new float[n + 1];
                assertTrue(VectorKernels.unary(op, x, n % 3, vector, 1, n));
                FloatKernels.unaryStrided(op, x, n % 3, 1, scalar, 1, 1, n);
                for (int i = 0; i < vector.length; i++) {
                    boolean same = Float.floatToRawIntBits(scalar[i]) == Float.floatToRawIntBits(vector[i])
                            || (Float.isNaN(scalar[i]) && Float.isNaN(vector[i]));
                    assertTrue(same, op + " n=" + n + " at " + i + ": scalar " + scalar[i] + " vector " + vector[i]);
                }
            }
        }
        assertEquals(false, VectorKernels.unary(UnaryOp.EXP, new float[4], 0, new float[4], 0, 4), "exp stays on the scalar path");
    }
}
