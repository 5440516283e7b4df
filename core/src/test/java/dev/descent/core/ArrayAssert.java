package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Comparisons of an array against float64 reference values, with a tolerance fitting the dtype. */
final class ArrayAssert {
    private ArrayAssert() {
    }

    static double tolerance(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 2e-6;
            case FLOAT64 -> 1e-12;
            case INT32 -> 0;
        };
    }

    static void assertValues(double[] expected, int[] shape, DType dtype, NDArray actual, String context) {
        assertArrayEquals(shape, actual.shape(), context + ": shape");
        assertEquals(dtype, actual.dtype(), context + ": dtype");
        assertValues(expected, actual.toDoubleArray(), tolerance(dtype), context);
    }

    /** Relative-and-absolute closeness; NaN must match NaN and infinities must match exactly. */
    static void assertValues(double[] expected, double[] actual, double tolerance, String context) {
        assertEquals(expected.length, actual.length, context + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                if (Double.compare(e, a) != 0) {
                    fail(context + ": element " + i + " expected " + e + " but was " + a);
                }
            } else if (!(Math.abs(e - a) <= tolerance * Math.max(1, Math.abs(e)))) {
                fail(context + ": element " + i + " expected " + e + " but was " + a + " (tolerance " + tolerance + ")");
            }
        }
    }
}
