package dev.descent.core;

import static dev.descent.core.ArrayAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code c.addmmi(a, b)}: c + a b in place, checked against a float64 reference on random shapes and layouts. */
class AddmmInPlaceTest {
    private final Generator g = new Generator(11);

    @Test
    void addsTheProductIntoTheArrayForRandomShapesAndTransposedOperands() {
        java.util.Random shapes = new java.util.Random(5);
        for (int trial = 0; trial < 24; trial++) {
            int m = 1 + shapes.nextInt(70);
            int k = 1 + shapes.nextInt(300);
            int n = 1 + shapes.nextInt(70);
            DType dtype = trial % 2 == 0 ? DType.FLOAT64 : DType.FLOAT32;
            double[] a = Reference.roundTo(dtype, Reference.randomValues(g, m * k, -1, 1));
            double[] b = Reference.roundTo(dtype, Reference.randomValues(g, k * n, -1, 1));
            double[] c = Reference.roundTo(dtype, Reference.randomValues(g, m * n, -1, 1));
            double[] product = Reference.matmul(a, b, m, k, n);
            double[] expected = new double[m * n];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c[i] + product[i];
            }
            // a read through a transposed view on odd trials: the layout a weight gradient dy^T x has
            NDArray left = trial % 3 == 1 ? NDArray.of(a, m, k).t().contiguous().t().astype(dtype) : NDArray.of(a, m, k).astype(dtype);
            NDArray right = trial % 4 == 3 ? NDArray.of(b, k, n).t().contiguous().t().astype(dtype) : NDArray.of(b, k, n).astype(dtype);
            NDArray sum = NDArray.of(c, m, n).astype(dtype);
            NDArray returned = sum.addmmi(left, right);
            assertSame(sum, returned);
            double tolerance = dtype == DType.FLOAT64 ? 1e-12 : 4e-5;
            assertValues(expected, sum.toDoubleArray(), tolerance, "addmmi " + dtype + " " + m + "x" + k + "x" + n);
        }
    }

    @Test
    void badOperandsAreRefusedNamingTheShapesAndTheRule() {
        NDArray c = NDArray.zeros(DType.FLOAT32, 2, 3);
        NDArray a = NDArray.zeros(DType.FLOAT32, 2, 4);
        NDArray b = NDArray.zeros(DType.FLOAT32, 5, 3);
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class, () -> c.addmmi(a, b));
        assertTrue(shapes.getMessage().contains("[2, 3] += [2, 4] @ [5, 3]"), shapes.getMessage());
        IllegalArgumentException dtypes = assertThrows(IllegalArgumentException.class,
                () -> c.addmmi(NDArray.zeros(DType.FLOAT64, 2, 4), NDArray.zeros(DType.FLOAT32, 4, 3)));
        assertTrue(dtypes.getMessage().contains("FLOAT32 += FLOAT64 @ FLOAT32"), dtypes.getMessage());
        NDArray strided = NDArray.zeros(DType.FLOAT32, 3, 2).t();
        IllegalArgumentException layout = assertThrows(IllegalArgumentException.class,
                () -> strided.addmmi(NDArray.zeros(DType.FLOAT32, 2, 4), NDArray.zeros(DType.FLOAT32, 4, 3)));
        assertTrue(layout.getMessage().contains("contiguous"), layout.getMessage());
        NDArray square = NDArray.zeros(DType.FLOAT32, 3, 3);
        IllegalArgumentException aliased = assertThrows(IllegalArgumentException.class, () -> square.addmmi(square, square.t()));
        assertTrue(aliased.getMessage().contains("shares memory"), aliased.getMessage());
    }
}
