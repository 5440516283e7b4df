package dev.descent.core;

import static dev.descent.core.ArrayAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReductionTest {
    private final Generator g = new Generator(31);

    /** A random non-empty subset of the dimensions (or all of them when rank is 0). */
    private int[] randomDims(int rank) {
        List<Integer> dims = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            if (g.nextInt(2) == 0) {
                dims.add(g.nextInt(2) == 0 ? d : d - rank);
            }
        }
        if (dims.isEmpty() && rank > 0) {
            dims.add(g.nextInt(rank));
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean[] mask(int[] dims, int rank) {
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d < 0 ? d + rank : d] = true;
        }
        return reduced;
    }

    private static int[] expectedShape(int[] shape, boolean[] reduced, boolean keepDim) {
        return java.util.stream.IntStream.range(0, shape.length).filter(d -> keepDim || !reduced[d])
                .map(d -> reduced[d] ? 1 : shape[d]).toArray();
    }

    @Test
    void reductionsOverAnySetOfDimensionsMatchTheReference() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int trial = 0; trial < 25; trial++) {
                int[] shape = Reference.randomShape(g, 0, 4, 5);
                int rank = shape.length;
                int[] dims = randomDims(rank);
                boolean[] reduced = mask(dims, rank);
                boolean keepDim = g.nextInt(2) == 0;
                int count = 1;
                for (int d = 0; d < rank; d++) {
                    count *= reduced[d] ? shape[d] : 1;
                }
                double[] x = Reference.roundTo(dtype, Reference.randomValues(g, Reference.numel(shape), -2, 2));
                double[] sum = Reference.reduce(x, shape, reduced, 0, Double::sum);
                double[] prod = Reference.reduce(x, shape, reduced, 1, (a, b) -> a * b);
                double[] max = Reference.reduce(x, shape, reduced, Double.NEGATIVE_INFINITY, Math::max);
                double[] min = Reference.reduce(x, shape, reduced, Double.POSITIVE_INFINITY, Math::min);
                int n = count;
                double[] mean = Reference.map(sum, s -> s / n);
                double[] squares = Reference.reduce(deviations(x, shape, reduced, mean), shape, reduced, 0, Double::sum);
                double[] var = Reference.map(squares, s -> s / (n - 1));
                double[] population = Reference.map(squares, s -> s / n);
                double[] lse = Reference.map(Reference.reduce(Reference.map(x, Math::exp), shape, reduced, 0, Double::sum), Math::log);
                double[] l1 = Reference.reduce(Reference.map(x, Math::abs), shape, reduced, 0, Double::sum);
                double[] l2 = Reference.map(Reference.reduce(Reference.map(x, v -> v * v), shape, reduced, 0, Double::sum), Math::sqrt);
                double[] l3 = Reference.map(Reference.reduce(Reference.map(x, v -> Math.pow(Math.abs(v), 3)), shape, reduced, 0,
                        Double::sum), v -> Math.cbrt(v));
                double[] linf = Reference.reduce(Reference.map(x, Math::abs), shape, reduced, 0, Math::max);
                int[] out = expectedShape(shape, reduced, keepDim);
                String context = dtype + " " + Shape.toString(shape) + " over " + java.util.Arrays.toString(dims) + " keepDim " + keepDim;
                for (NDArray a : Reference.layouts(x, shape, dtype)) {
                    assertValues(round(dtype, sum), out, dtype, a.sum(dims, keepDim), "sum " + context);
                    assertValues(round(dtype, prod), out, dtype, a.prod(dims, keepDim), "prod " + context);
                    assertValues(max, out, dtype, a.max(dims, keepDim), "max " + context);
                    assertValues(min, out, dtype, a.min(dims, keepDim), "min " + context);
                    assertValues(round(dtype, mean), out, dtype, a.mean(dims, keepDim), "mean " + context);
                    if (n > 1) {
                        assertValues(round(dtype, var), out, dtype, a.var(dims, 1, keepDim), "var " + context);
                        assertValues(round(dtype, Reference.map(var, Math::sqrt)), out, dtype, a.std(dims, 1, keepDim), "std " + context);
                    }
                    assertValues(round(dtype, population), out, dtype, a.var(dims, 0, keepDim), "var0 " + context);
                    assertValues(round(dtype, lse), out, dtype, a.logSumExp(dims, keepDim), "logSumExp " + context);
                    assertValues(round(dtype, l1), out, dtype, a.norm(1, dims, keepDim), "norm1 " + context);
                    assertValues(round(dtype, l2), out, dtype, a.norm(2, dims, keepDim), "norm2 " + context);
                    assertValues(round(dtype, l3), out, dtype, a.norm(3, dims, keepDim), "norm3 " + context);
                    assertValues(linf, out, dtype, a.norm(Double.POSITIVE_INFINITY, dims, keepDim), "normInf " + context);
                }
            }
        }
    }

    private static double[] round(DType dtype, double[] values) {
        return Reference.roundTo(dtype, values);
    }

    private static double[] deviations(double[] x, int[] shape, boolean[] reduced, double[] mean) {
        int[] meanShape = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            meanShape[d] = reduced[d] ? 1 : shape[d];
        }
        double[] result = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double m = Reference.broadcastGet(mean, meanShape, Reference.unravel(i, shape));
            result[i] = (x[i] - m) * (x[i] - m);
        }
        return result;
    }

    @Test
    void argmaxAndArgminPointAtTheFirstExtremeAlongADimension() {
        for (int trial = 0; trial < 20; trial++) {
            int[] shape = Reference.randomShape(g, 1, 3, 6);
            int rank = shape.length;
            int dim = g.nextInt(rank);
            // few distinct values, so ties are common and "first" matters
            double[] x = Reference.map(Reference.randomValues(g, Reference.numel(shape), 0, 4), Math::floor);
            boolean[] reduced = new boolean[rank];
            reduced[dim] = true;
            int[] outShape = expectedShape(shape, reduced, false);
            double[] expectedMax = new double[Reference.numel(outShape)];
            double[] expectedMin = new double[expectedMax.length];
            for (int o = 0; o < expectedMax.length; o++) {
                int[] kept = Reference.unravel(o, outShape);
                int[] index = new int[rank];
                for (int d = 0, k = 0; d < rank; d++) {
                    index[d] = d == dim ? 0 : kept[k++];
                }
                int best = 0;
                int worst = 0;
                for (int i = 0; i < shape[dim]; i++) {
                    index[dim] = i;
                    double v = x[Reference.ravel(index, shape)];
                    index[dim] = best;
                    if (v > x[Reference.ravel(index, shape)]) {
                        best = i;
                    }
                    index[dim] = worst;
                    if (v < x[Reference.ravel(index, shape)]) {
                        worst = i;
                    }
                    index[dim] = i;
                }
                expectedMax[o] = best;
                expectedMin[o] = worst;
            }
            for (NDArray a : Reference.layouts(x, shape, DType.FLOAT32)) {
                assertValues(expectedMax, outShape, DType.INT32, a.argmax(dim), "argmax");
                assertValues(expectedMin, outShape, DType.INT32, a.argmin(dim - rank), "argmin");
            }
            assertArrayEquals(expectedShape(shape, reduced, true), NDArray.of(x).reshape(shape).argmax(dim, true).shape());
        }
        NDArray m = NDArray.of(new float[] {1, 9, 3, 9, 0, 2}, 2, 3);
        assertEquals(1, m.argmax().item(), 0);
        assertEquals(4, m.argmin().item(), 0);
        assertEquals(0, m.argmax().rank());
    }

    @Test
    void nanPropagatesThroughMaxMinSumAndWinsArgmax() {
        NDArray x = NDArray.of(new double[] {1, Double.NaN, 3});
        assertEquals(Double.NaN, x.max().item(), 0);
        assertEquals(Double.NaN, x.min().item(), 0);
        assertEquals(Double.NaN, x.sum().item(), 0);
        assertEquals(1, x.argmax().item(), 0);
        assertEquals(1, x.argmin().item(), 0);
    }

    @Test
    void logSumExpIsStableForLargeAndInfiniteInputs() {
        NDArray big = NDArray.of(new float[] {1000, 1000});
        assertEquals(1000 + Math.log(2), big.logSumExp().item(), 1e-3);
        NDArray small = NDArray.of(new double[] {-1000, -1000});
        assertEquals(-1000 + Math.log(2), small.logSumExp().item(), 1e-12);
        NDArray negInf = NDArray.of(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY});
        assertEquals(Double.NEGATIVE_INFINITY, negInf.logSumExp().item(), 0);
        NDArray posInf = NDArray.of(new double[] {Double.POSITIVE_INFINITY, 1});
        assertEquals(Double.POSITIVE_INFINITY, posInf.logSumExp().item(), 0);
        NDArray rows = NDArray.of(new double[] {0, 0, 1000, 0}, 2, 2);
        assertArrayEquals(new double[] {Math.log(2), 1000}, rows.logSumExp(1).toDoubleArray(), 1e-12);
    }

    @Test
    void emptyDimensionsFollowTheIdentityOfEachReduction() {
        NDArray empty = NDArray.zeros(DType.FLOAT64, 3, 0);
        assertArrayEquals(new double[] {0, 0, 0}, empty.sum(1).toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 1, 1}, empty.prod(new int[] {1}, false).toDoubleArray(), 0);
        assertEquals(Double.NaN, empty.mean(1).toDoubleArray()[0], 0);
        assertArrayEquals(new int[] {0}, empty.sum(0).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> empty.max(1));
        assertEquals("max: cannot reduce dimension 1 of size 0 in shape [3, 0] (the result is undefined)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> empty.argmax(1));
        assertThrows(IllegalArgumentException.class, () -> empty.argmax());
        assertEquals(5, NDArray.scalar(5).sum().item(), 0);
        assertEquals(5, NDArray.scalar(5).max().item(), 0);
    }

    @Test
    void integerReductionsAreExactAndRefuseToOverflow() {
        NDArray labels = NDArray.of(new int[] {3, 1, 4, 1, 5}, 5);
        assertEquals(DType.INT32, labels.sum().dtype());
        assertEquals(14, labels.sum().item(), 0);
        assertEquals(60, labels.prod().item(), 0);
        assertEquals(DType.FLOAT32, labels.mean().dtype());
        assertEquals(2.8, labels.mean().item(), 1e-6);
        assertEquals(5, labels.max().item(), 0);
        ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> NDArray.full(DType.INT32, Integer.MAX_VALUE, 2).sum());
        assertEquals("sum: the result leaves the INT32 range; convert with astype(DType.FLOAT64) first", e.getMessage());
    }

    @Test
    void badDimensionsAreErrorsThatNameTheOperation() {
        NDArray x = NDArray.zeros(2, 3);
        IndexOutOfBoundsException range = assertThrows(IndexOutOfBoundsException.class, () -> x.sum(2));
        assertEquals("sum: dimension 2 is out of range for an array of rank 2 (expected -2 to 1)", range.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> x.sum(new int[] {1, -1}, false));
        assertEquals("sum: dimension 1 appears twice in [1, -1]", twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.var(new int[] {0}, -1, false));
        assertThrows(IllegalArgumentException.class, () -> x.norm(0));
    }

    @Test
    void largeReductionsGiveTheSameResultOnAnyThreadCount() {
        NDArray x = NDArray.randn(new Generator(5), 512, 300);
        int before = Descent.numThreads();
        try {
            Descent.setNumThreads(1);
            NDArray one = x.sum(0);
            double total = x.sum().item();
            Descent.setNumThreads(2);
            assertEquals(one, x.sum(0));
            assertEquals(total, x.sum().item(), 0);
        } finally {
            Descent.setNumThreads(before);
        }
    }

    @Test
    void sumsOverLeadingDimensionsAgreeBitForBitWithTheGeneralPath() {
        Generator g = new Generator(12);
        int[][] shapes = {{128, 512}, {7, 3, 33}, {2, 1000}, {300, 2}};
        for (int[] shape : shapes) {
            NDArray x = NDArray.randn(g, shape);
            // The same values stored transposed take the general (strided) path.
            NDArray strided = shape.length == 2 ? x.t().contiguous().t() : x.permute(2, 1, 0).contiguous().permute(2, 1, 0);
            for (int[] dims : shape.length == 3 ? new int[][] {{0}, {0, 1}, {1, 0}} : new int[][] {{0}}) {
                float[] fast = x.sum(dims, false).toFloatArray();
                float[] general = strided.sum(dims, false).toFloatArray();
                org.junit.jupiter.api.Assertions.assertArrayEquals(general, fast, 0f, java.util.Arrays.toString(shape));
            }
        }
    }
}
