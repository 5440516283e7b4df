package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InPlaceTest {

    @Test
    void inPlaceArithmeticWritesIntoTheReceiver() {
        NDArray x = NDArray.of(new double[] {1, 2, 3, 4}, 2, 2);
        assertSame(x, x.addi(NDArray.of(new double[] {10, 20})));
        assertArrayEquals(new double[] {11, 22, 13, 24}, x.toDoubleArray(), 0);
        x.subi(1).muli(2).divi(NDArray.of(new double[] {2, 4}, 2, 1));
        assertArrayEquals(new double[] {10, 21, 6, 11.5}, x.toDoubleArray(), 0);
        x.muli(NDArray.of(new float[] {1, -1}));
        assertArrayEquals(new double[] {10, -21, 6, -11.5}, x.toDoubleArray(), 0);
    }

    @Test
    void inPlaceOpsWriteThroughStridedViews() {
        NDArray x = NDArray.zeros(DType.FLOAT64, 4, 6);
        NDArray everyOtherColumn = x.slice(1, 0, 6, 2);
        everyOtherColumn.addi(NDArray.arange(3).astype(DType.FLOAT64));
        x.t().narrow(0, 1, 1).fill(-1);
        double[] row = x.select(0, 2).toDoubleArray();
        assertArrayEquals(new double[] {0, -1, 1, 0, 2, 0}, row, 0);
        assertEquals(4 * 3 - 4, x.sum().item(), 0);
    }

    @Test
    void addcmulAndAddcdivComputeTheOptimizerUpdateForms() {
        NDArray x = NDArray.of(new double[] {1, 2});
        NDArray t1 = NDArray.of(new double[] {3, 4});
        NDArray t2 = NDArray.of(new double[] {2, 8});
        assertArrayEquals(new double[] {1 + 0.5 * 6, 2 + 0.5 * 32}, x.addcmul(t1, t2, 0.5).toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 2}, x.toDoubleArray(), 0);
        assertArrayEquals(new double[] {1 - 1.5, 2 - 0.5}, x.addcdiv(t1, t2, -1).toDoubleArray(), 0);
        assertSame(x, x.addcmuli(t1, t2, 2));
        assertArrayEquals(new double[] {13, 66}, x.toDoubleArray(), 0);
        x.addcdivi(t1, t2, 4);
        assertArrayEquals(new double[] {19, 68}, x.toDoubleArray(), 0);
    }

    @Test
    void inPlaceNeverNarrowsTheReceiversDtype() {
        NDArray f = NDArray.ones(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.addi(NDArray.ones(DType.FLOAT64, 2)));
        assertEquals("addi: the result is FLOAT64 but the receiver is FLOAT32; in-place operations never narrow "
                + "(use the copying form, or astype first)", e.getMessage());
        NDArray i = NDArray.ones(DType.INT32, 2);
        assertThrows(IllegalArgumentException.class, () -> i.divi(NDArray.ones(DType.INT32, 2)));
        assertThrows(IllegalArgumentException.class, () -> i.addi(0.5));
        assertArrayEquals(new int[] {3, 3}, i.addi(NDArray.full(DType.INT32, 2, 1)).toIntArray());
        NDArray d = NDArray.ones(DType.FLOAT64, 2).addi(NDArray.ones(2));
        assertArrayEquals(new double[] {2, 2}, d.toDoubleArray(), 0);
    }

    @Test
    void inPlaceOperandsMustBroadcastToTheReceiver() {
        NDArray x = NDArray.zeros(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.addi(NDArray.ones(2, 3)));
        assertEquals("addi: an operand of shape [2, 3] does not broadcast to the receiver's shape [3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.copyFrom(NDArray.ones(4)));
    }

    @Test
    void overlappingOperandsAreReadBeforeTheyAreOverwritten() {
        NDArray m = NDArray.arange(9).astype(DType.FLOAT64).reshape(3, 3);
        NDArray expected = m.add(m.t());
        m.addi(m.t());
        assertArrayEquals(expected.toDoubleArray(), m.toDoubleArray(), 0);
        NDArray v = NDArray.arange(5).astype(DType.FLOAT32);
        v.narrow(0, 1, 4).copyFrom(v.narrow(0, 0, 4));
        assertArrayEquals(new double[] {0, 0, 1, 2, 3}, v.toDoubleArray(), 0);
        NDArray self = NDArray.of(new double[] {1, 2});
        self.muli(self);
        assertArrayEquals(new double[] {1, 4}, self.toDoubleArray(), 0);
    }

    @Test
    void fillAndCopyFromAreInPlace() {
        NDArray x = NDArray.zeros(DType.FLOAT64, 2, 3);
        x.copyFrom(NDArray.of(new float[] {1, 2, 3}));
        assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, x.toDoubleArray(), 0);
        assertSame(x, x.fill(7));
        assertEquals(42, x.sum().item(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NDArray.zeros(DType.INT32, 2).copyFrom(NDArray.ones(2)));
        assertTrue(e.getMessage().startsWith("copyFrom: the result is FLOAT32 but the receiver is INT32"), e.getMessage());
    }
}
