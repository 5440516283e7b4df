package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ViewTest {
    private final Generator g = new Generator(17);

    private static NDArray counting(int... shape) {
        return NDArray.arange(0, Reference.numel(shape), 1).astype(DType.FLOAT64).reshape(shape);
    }

    @Test
    void permuteMovesElementsToTheirPermutedIndices() {
        for (int trial = 0; trial < 30; trial++) {
            int[] shape = Reference.randomShape(g, 1, 4, 4);
            int rank = shape.length;
            int[] order = shuffledDims(rank);
            NDArray x = counting(shape);
            NDArray p = x.permute(order);
            assertSame(x.storage(), p.storage());
            double[] values = p.toDoubleArray();
            int[] pshape = p.shape();
            for (int i = 0; i < values.length; i++) {
                int[] pi = Reference.unravel(i, pshape);
                int[] xi = new int[rank];
                for (int d = 0; d < rank; d++) {
                    xi[order[d]] = pi[d];
                }
                assertEquals(Reference.ravel(xi, shape), values[i], 0);
            }
        }
    }

    private int[] shuffledDims(int rank) {
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        for (int d = rank - 1; d > 0; d--) {
            int j = g.nextInt(d + 1);
            int t = order[d];
            order[d] = order[j];
            order[j] = t;
        }
        return order;
    }

    @Test
    void transposeSwapsTwoDimensionsAndWritesShowThrough() {
        NDArray x = counting(2, 3, 4);
        NDArray t = x.transpose(0, 2);
        assertArrayEquals(new int[] {4, 3, 2}, t.shape());
        assertEquals(x.get(1, 2, 3), t.get(3, 2, 1), 0);
        assertFalse(t.isContiguous());
        t.set(-5, 3, 2, 1);
        assertEquals(-5, x.get(1, 2, 3), 0);
        NDArray m = counting(2, 3);
        assertArrayEquals(new int[] {3, 2}, m.t().shape());
        NDArray vector = m.reshape(6);
        assertSame(vector, vector.t());
        assertThrows(IllegalArgumentException.class, () -> x.t());
    }

    @Test
    void reshapeViewsContiguousDataAndCopiesOtherwise() {
        NDArray x = counting(2, 3, 4);
        NDArray r = x.reshape(4, -1);
        assertArrayEquals(new int[] {4, 6}, r.shape());
        assertSame(x.storage(), r.storage());
        assertArrayEquals(x.toDoubleArray(), r.toDoubleArray(), 0);
        NDArray transposed = x.transpose(1, 2);
        NDArray copied = transposed.reshape(-1);
        assertNotSame(x.storage(), copied.storage());
        assertArrayEquals(transposed.toDoubleArray(), copied.toDoubleArray(), 0);
        IllegalArgumentException notContiguous = assertThrows(IllegalArgumentException.class, () -> transposed.view(24));
        assertTrue(notContiguous.getMessage().startsWith("view: an array of shape [2, 4, 3] with strides [12, 1, 4] is not contiguous"),
                notContiguous.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> x.reshape(5, -1));
        assertEquals("reshape: cannot reshape [2, 3, 4] (24 elements) into [5, -1]", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.reshape(-1, -1));
        assertArrayEquals(new int[] {24}, x.flatten().shape());
        assertArrayEquals(new int[] {0, 5}, NDArray.zeros(0, 3).reshape(0, 5).shape());
        assertEquals(7, NDArray.of(new float[] {7}).reshape().item(), 0);
    }

    @Test
    void squeezeAndUnsqueezeAddAndDropSizeOneDimensions() {
        NDArray x = counting(1, 3, 1, 2);
        assertArrayEquals(new int[] {3, 2}, x.squeeze().shape());
        assertArrayEquals(new int[] {3, 1, 2}, x.squeeze(0).shape());
        assertArrayEquals(new int[] {1, 3, 1, 2}, x.squeeze(1).shape());
        assertArrayEquals(new int[] {1, 3, 1, 2, 1}, x.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {1, 1, 3, 1, 2}, x.unsqueeze(1).shape());
        assertArrayEquals(x.toDoubleArray(), x.unsqueeze(2).toDoubleArray(), 0);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.unsqueeze(6));
        assertEquals("unsqueeze: dimension 6 is out of range for an array of rank 5 (expected -5 to 4)", e.getMessage());
    }

    @Test
    void expandBroadcastsWithoutCopyingAndRefusesWrites() {
        NDArray column = counting(3, 1);
        NDArray wide = column.expand(2, 3, 4);
        assertArrayEquals(new int[] {2, 3, 4}, wide.shape());
        assertSame(column.storage(), wide.storage());
        assertTrue(wide.isBroadcastView());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(j, wide.get(i, j, k), 0);
                }
            }
        }
        assertArrayEquals(new int[] {3, 5}, column.expand(-1, 5).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> column.expand(4, 4));
        assertEquals("expand: cannot expand shape [3, 1] to [4, 4]: dimension 0 has size 3 (only size 1 can expand)", e.getMessage());
        IllegalArgumentException write = assertThrows(IllegalArgumentException.class, () -> wide.addi(1));
        assertTrue(write.getMessage().startsWith("addi: cannot write into a broadcast view"), write.getMessage());
        assertThrows(IllegalArgumentException.class, () -> wide.fill(0));
    }

    @Test
    void narrowSliceAndSelectPickTheRightElements() {
        for (int trial = 0; trial < 30; trial++) {
            int[] shape = Reference.randomShape(g, 1, 3, 7);
            NDArray x = counting(shape);
            int dim = g.nextInt(shape.length);
            int size = shape[dim];
            int start = g.nextInt(size);
            int step = 1 + g.nextInt(3);
            NDArray s = x.slice(dim, start, size, step);
            int expectedLength = (size - start + step - 1) / step;
            assertEquals(expectedLength, s.shape()[dim]);
            double[] values = s.toDoubleArray();
            for (int i = 0; i < values.length; i++) {
                int[] index = Reference.unravel(i, s.shape());
                index[dim] = start + index[dim] * step;
                assertEquals(Reference.ravel(index, shape), values[i], 0);
            }
            NDArray n = x.narrow(dim, start, size - start);
            assertEquals(x.select(dim, start).sum().item(), n.select(dim, 0).sum().item(), 0);
        }
        NDArray x = counting(4, 5);
        assertArrayEquals(new double[] {3, 4}, x.select(0, 0).slice(0, -2, 100, 1).toDoubleArray(), 0);
        assertArrayEquals(new double[] {15, 16, 17, 18, 19}, x.select(0, -1).toDoubleArray(), 0);
        assertEquals(0, x.slice(1, 4, 2, 1).shape()[1]);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.narrow(1, 3, 3));
        assertEquals("narrow: start 3 and length 3 do not fit dimension 1 of size 5 in shape [4, 5]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.slice(0, 0, 4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> x.select(2, 0));
    }

    @Test
    void copyAndContiguousProduceIndependentRowMajorArrays() {
        NDArray x = counting(3, 4);
        NDArray t = x.t();
        NDArray c = t.contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(t.toDoubleArray(), c.toDoubleArray(), 0);
        assertSame(x, x.contiguous());
        NDArray copy = x.copy();
        copy.set(99, 0, 0);
        assertEquals(0, x.get(0, 0), 0);
    }

    @Test
    void concatStackAndSplitJoinAndCut() {
        NDArray a = counting(2, 3);
        NDArray b = counting(2, 2).add(100);
        NDArray joined = NDArray.concat(1, a, b);
        assertArrayEquals(new int[] {2, 5}, joined.shape());
        assertArrayEquals(new double[] {0, 1, 2, 100, 101, 3, 4, 5, 102, 103}, joined.toDoubleArray(), 0);
        NDArray rows = NDArray.concat(0, a, a.t().t());
        assertArrayEquals(new int[] {4, 3}, rows.shape());
        NDArray mixed = NDArray.concat(0, NDArray.ones(DType.INT32, 2), NDArray.of(new float[] {0.5f}));
        assertEquals(DType.FLOAT32, mixed.dtype());
        assertArrayEquals(new double[] {1, 1, 0.5}, mixed.toDoubleArray(), 0);

        NDArray stacked = NDArray.stack(1, a, a.mul(-1));
        assertArrayEquals(new int[] {2, 2, 3}, stacked.shape());
        assertEquals(-4, stacked.get(1, 1, 1), 0);
        assertEquals(4, stacked.get(1, 0, 1), 0);

        List<NDArray> pieces = counting(7, 2).split(3, 0);
        assertEquals(3, pieces.size());
        assertArrayEquals(new int[] {1, 2}, pieces.get(2).shape());
        assertEquals(12, pieces.get(2).get(0, 0), 0);
        List<NDArray> sized = counting(2, 6).split(new int[] {1, 0, 5}, 1);
        assertArrayEquals(new int[] {2, 0}, sized.get(1).shape());
        assertEquals(7, sized.get(2).get(1, 0), 0);
        assertSame(a.storage(), a.split(1, 0).get(1).storage());

        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> NDArray.concat(0, a, b));
        assertEquals("concat: array 1 has shape [2, 2] but array 0 has shape [2, 3]; sizes must match except in dimension 0",
                mismatch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NDArray.stack(0, a, b));
        IllegalArgumentException badSizes = assertThrows(IllegalArgumentException.class, () -> a.split(new int[] {1, 1}, 1));
        assertEquals("split: sizes [1, 1] add up to 2 but dimension 1 of shape [2, 3] has size 3", badSizes.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NDArray.concat(0));
    }

    @Test
    void wrapChecksThatTheViewStaysInsideTheStorage() {
        NDArray x = counting(4);
        NDArray view = NDArray.wrap(x.storage(), new int[] {2}, new int[] {2}, 1);
        assertArrayEquals(new double[] {1, 3}, view.toDoubleArray(), 0);
        assertThrows(IndexOutOfBoundsException.class, () -> NDArray.wrap(x.storage(), new int[] {3}, new int[] {2}, 0));
    }
}
