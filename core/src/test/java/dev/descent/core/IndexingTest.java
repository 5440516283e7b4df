package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IndexingTest {
    private final Generator g = new Generator(41);

    @Test
    void gatherPicksAlongTheDimensionLikeTorchGather() {
        for (int trial = 0; trial < 20; trial++) {
            int[] shape = Reference.randomShape(g, 1, 3, 5);
            int rank = shape.length;
            int dim = g.nextInt(rank);
            int[] indexShape = shape.clone();
            for (int d = 0; d < rank; d++) {
                indexShape[d] = d == dim ? 1 + g.nextInt(6) : 1 + g.nextInt(shape[d]);
            }
            double[] x = Reference.randomValues(g, Reference.numel(shape), -1, 1);
            int[] index = new int[Reference.numel(indexShape)];
            for (int i = 0; i < index.length; i++) {
                index[i] = g.nextInt(shape[dim]);
            }
            double[] expected = new double[index.length];
            for (int i = 0; i < index.length; i++) {
                int[] position = Reference.unravel(i, indexShape);
                position[dim] = index[i];
                expected[i] = x[Reference.ravel(position, shape)];
            }
            NDArray idx = NDArray.of(index, indexShape);
            for (NDArray a : Reference.layouts(x, shape, DType.FLOAT64)) {
                ArrayAssert.assertValues(expected, indexShape, DType.FLOAT64, a.gather(dim, idx), "gather");
            }
        }
    }

    @Test
    void scatterAddAccumulatesRepeatedIndices() {
        for (int trial = 0; trial < 20; trial++) {
            int[] shape = Reference.randomShape(g, 1, 3, 5);
            int rank = shape.length;
            int dim = g.nextInt(rank);
            int[] indexShape = shape.clone();
            indexShape[dim] = 1 + g.nextInt(8);
            double[] target = Reference.randomValues(g, Reference.numel(shape), -1, 1);
            double[] source = Reference.randomValues(g, Reference.numel(indexShape), -1, 1);
            int[] index = new int[source.length];
            double[] expected = target.clone();
            for (int i = 0; i < index.length; i++) {
                index[i] = g.nextInt(shape[dim]);
                int[] position = Reference.unravel(i, indexShape);
                position[dim] = index[i];
                expected[Reference.ravel(position, shape)] += source[i];
            }
            NDArray idx = NDArray.of(index, indexShape);
            NDArray src = NDArray.of(source, indexShape);
            NDArray original = NDArray.of(target, shape);
            NDArray added = original.scatterAdd(dim, idx, src);
            ArrayAssert.assertValues(expected, shape, DType.FLOAT64, added, "scatterAdd");
            ArrayAssert.assertValues(target, shape, DType.FLOAT64, original, "scatterAdd leaves its receiver alone");
            NDArray transposed = Reference.layouts(target, shape, DType.FLOAT64).get(rank >= 2 ? 1 : 0);
            transposed.scatterAddi(dim, idx, src);
            ArrayAssert.assertValues(expected, shape, DType.FLOAT64, transposed, "scatterAddi in place");
        }
    }

    @Test
    void indexSelectTakesWholeSlicesInIndexOrder() {
        NDArray x = NDArray.arange(12).reshape(3, 4);
        NDArray rows = x.indexSelect(0, NDArray.of(new int[] {2, 0, 2}));
        assertArrayEquals(new int[] {3, 4}, rows.shape());
        assertArrayEquals(new int[] {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, rows.toIntArray());
        NDArray columns = x.t().indexSelect(0, NDArray.of(new int[] {3, 1}));
        assertArrayEquals(new int[] {3, 7, 11, 1, 5, 9}, columns.toIntArray());
        assertArrayEquals(new int[] {3, 0}, x.indexSelect(1, NDArray.zeros(DType.INT32, 0)).shape());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> x.indexSelect(1, NDArray.of(new int[] {0, 4})));
        assertEquals("indexSelect: index 4 is out of range for dimension 1 of size 4 (expected 0 to 3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.indexSelect(0, NDArray.of(new float[] {0})));
    }

    @Test
    void oneHotEncodesInt32Labels() {
        NDArray labels = NDArray.of(new int[] {2, 0, 1, 2}, 2, 2);
        NDArray encoded = labels.oneHot(3);
        assertEquals(DType.FLOAT32, encoded.dtype());
        assertArrayEquals(new int[] {2, 2, 3}, encoded.shape());
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, encoded.toDoubleArray(), 0);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> labels.oneHot(2));
        assertEquals("oneHot: index 2 is out of range for 2 classes (expected 0 to 1)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NDArray.of(new float[] {1}).oneHot(3));
    }

    @Test
    void badIndicesAreClearErrors() {
        NDArray x = NDArray.zeros(2, 3);
        IndexOutOfBoundsException negative = assertThrows(IndexOutOfBoundsException.class,
                () -> x.gather(1, NDArray.of(new int[] {0, -1}, 1, 2)));
        assertEquals("gather: index -1 is out of range for dimension 1 of size 3 (expected 0 to 2)", negative.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> x.gather(1, NDArray.of(new int[] {0, 1})));
        assertEquals("gather: index shape [2] must have the same rank as [2, 3]", rank.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.gather(1, NDArray.zeros(DType.INT32, 3, 1)));
        IllegalArgumentException source = assertThrows(IllegalArgumentException.class,
                () -> x.scatterAdd(1, NDArray.zeros(DType.INT32, 2, 2), NDArray.zeros(2, 3)));
        assertEquals("scatterAdd: index shape [2, 2] and source shape [2, 3] must be equal", source.getMessage());
    }
}
