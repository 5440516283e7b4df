package dev.descent.core;

import static dev.descent.core.ArrayAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MatmulTest {
    private final Generator g = new Generator(37);

    /** The reference product of batched operands, broadcasting batch dimensions; both are at least 2-d. */
    private static double[] referenceBatched(double[] a, int[] as, double[] b, int[] bs) {
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        int[] aBatch = Arrays.copyOf(as, as.length - 2);
        int[] bBatch = Arrays.copyOf(bs, bs.length - 2);
        int[] batch = Reference.broadcastShape(aBatch, bBatch);
        int count = Reference.numel(batch);
        double[] out = new double[count * m * n];
        for (int t = 0; t < count; t++) {
            int[] index = Reference.unravel(t, batch);
            double[] left = new double[m * k];
            double[] right = new double[k * n];
            int aMatrix = matrixIndex(aBatch, index);
            int bMatrix = matrixIndex(bBatch, index);
            System.arraycopy(a, aMatrix * m * k, left, 0, m * k);
            System.arraycopy(b, bMatrix * k * n, right, 0, k * n);
            System.arraycopy(Reference.matmul(left, right, m, k, n), 0, out, t * m * n, m * n);
        }
        return out;
    }

    private static int matrixIndex(int[] batchShape, int[] outIndex) {
        int lead = outIndex.length - batchShape.length;
        int flat = 0;
        for (int d = 0; d < batchShape.length; d++) {
            flat = flat * batchShape[d] + (batchShape[d] == 1 ? 0 : outIndex[d + lead]);
        }
        return flat;
    }

    @Test
    void batchedProductsBroadcastAndReadEveryLayoutInPlace() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int trial = 0; trial < 20; trial++) {
                int m = 1 + g.nextInt(9);
                int k = g.nextInt(9); // k = 0 gives zeros
                int n = 1 + g.nextInt(9);
                int[] batch = Reference.randomShape(g, 0, 2, 3);
                int[] aShape = concat(trial % 3 == 0 ? new int[0] : batch, m, k);
                int[] bBatch = batch.clone();
                if (bBatch.length > 0 && trial % 2 == 0) {
                    bBatch[0] = 1;
                }
                int[] bShape = concat(bBatch, k, n);
                double[] a = Reference.roundTo(dtype, Reference.randomValues(g, Reference.numel(aShape), -1, 1));
                double[] b = Reference.roundTo(dtype, Reference.randomValues(g, Reference.numel(bShape), -1, 1));
                double[] expected = Reference.roundTo(dtype, referenceBatched(a, aShape, b, bShape));
                int[] outShape = concat(Reference.broadcastShape(Arrays.copyOf(aShape, aShape.length - 2), bBatch), m, n);
                for (NDArray x : Reference.layouts(a, aShape, dtype)) {
                    for (NDArray y : Reference.layouts(b, bShape, dtype)) {
                        assertValues(expected, outShape, dtype, x.matmul(y),
                                dtype + " " + Arrays.toString(aShape) + " @ " + Arrays.toString(bShape));
                    }
                }
            }
        }
    }

    private static int[] concat(int[] batch, int rows, int columns) {
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = columns;
        return shape;
    }

    @Test
    void vectorOperandsFollowNumpyRules() {
        NDArray v = NDArray.of(new double[] {1, 2, 3});
        NDArray w = NDArray.of(new double[] {4, 5, 6});
        NDArray m = NDArray.arange(6).astype(DType.FLOAT64).reshape(2, 3);
        NDArray dot = v.matmul(w);
        assertEquals(0, dot.rank());
        assertEquals(32, dot.item(), 0);
        assertEquals(32, v.dot(w).item(), 0);
        assertArrayEquals(new double[] {8, 26}, m.matmul(v).toDoubleArray(), 0);
        assertArrayEquals(new int[] {2}, m.matmul(v).shape());
        assertArrayEquals(new double[] {3, 4, 5}, NDArray.of(new double[] {0, 1}).matmul(m).toDoubleArray(), 0);
        NDArray batched = NDArray.stack(0, m, m.mul(2));
        assertArrayEquals(new int[] {2, 2}, batched.matmul(v).shape());
        assertArrayEquals(new double[] {8, 26, 16, 52}, batched.matmul(v).toDoubleArray(), 0);
        NDArray outer = v.outer(NDArray.of(new double[] {1, -1}));
        assertArrayEquals(new double[] {1, -1, 2, -2, 3, -3}, outer.toDoubleArray(), 0);
    }

    @Test
    void shapeAndDtypeErrorsNameTheOperands() {
        IllegalArgumentException inner = assertThrows(IllegalArgumentException.class,
                () -> NDArray.zeros(128, 784).matmul(NDArray.zeros(512, 10)));
        assertEquals("matmul: [128, 784] @ [512, 10]: inner dimensions differ (784 vs 512)", inner.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> NDArray.zeros(2, 3, 4).matmul(NDArray.zeros(3, 4, 5)));
        assertEquals("matmul: [2, 3, 4] @ [3, 4, 5]: batch dimensions cannot be broadcast", batch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NDArray.scalar(1).matmul(NDArray.zeros(2)));
        IllegalArgumentException ints = assertThrows(IllegalArgumentException.class,
                () -> NDArray.arange(4).reshape(2, 2).matmul(NDArray.arange(4).reshape(2, 2)));
        assertEquals("matmul: INT32 operands are not supported, got INT32 @ INT32; convert with astype(DType.FLOAT32)", ints.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(2, 2).dot(NDArray.zeros(2)));
        assertEquals(DType.FLOAT64, NDArray.ones(2, 2).matmul(NDArray.ones(DType.FLOAT64, 2, 2)).dtype());
    }

    /** Shapes that cross the GEMM tile edges (256 deep, 256 wide, 4-row blocks) on one and two threads. */
    @Test
    void largeProductsCrossTileEdgesAndAgreeAcrossThreadCounts() {
        int[][] shapes = {{130, 300, 270}, {7, 513, 3}, {67, 5, 600}};
        int before = Descent.numThreads();
        try {
            for (int[] s : shapes) {
                int m = s[0];
                int k = s[1];
                int n = s[2];
                double[] a = Reference.roundTo(DType.FLOAT32, Reference.randomValues(g, m * k, -1, 1));
                double[] b = Reference.roundTo(DType.FLOAT32, Reference.randomValues(g, k * n, -1, 1));
                double[] expected = Reference.matmul(a, b, m, k, n);
                NDArray x = NDArray.of(a, m, k).astype(DType.FLOAT32);
                NDArray y = NDArray.of(b, k, n).astype(DType.FLOAT32);
                NDArray yTransposedStorage = NDArray.of(b, k, n).t().contiguous().astype(DType.FLOAT32).t();
                Descent.setNumThreads(1);
                NDArray single = x.matmul(y);
                Descent.setNumThreads(2);
                NDArray dual = x.matmul(y);
                // float32 accumulation over k terms of size ~1: error grows like sqrt(k) * 6e-8
                assertValues(expected, single.toDoubleArray(), 2e-5, "1 thread " + Arrays.toString(s));
                assertEquals(single, dual, "thread count changed the result of " + Arrays.toString(s));
                assertValues(expected, x.t().contiguous().t().matmul(yTransposedStorage).toDoubleArray(), 2e-5,
                        "transposed " + Arrays.toString(s));
                NDArray xd = NDArray.of(a, m, k);
                assertValues(expected, xd.matmul(NDArray.of(b, k, n)).toDoubleArray(), 1e-12, "float64 " + Arrays.toString(s));
            }
        } finally {
            Descent.setNumThreads(before);
        }
    }
}
