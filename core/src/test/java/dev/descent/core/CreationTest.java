package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CreationTest {

    @Test
    void constantFactoriesFillEveryElement() {
        NDArray z = NDArray.zeros(2, 3);
        assertEquals(DType.FLOAT32, z.dtype());
        assertArrayEquals(new int[] {2, 3}, z.shape());
        assertArrayEquals(new double[6], z.toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 1, 1, 1}, NDArray.ones(DType.FLOAT64, 4).toDoubleArray(), 0);
        assertArrayEquals(new int[] {7, 7}, NDArray.full(DType.INT32, 7, 2).toIntArray());
        assertEquals(2.5, NDArray.scalar(2.5).item(), 0);
        assertEquals(0, NDArray.scalar(1).rank());
        assertEquals(0, NDArray.zeros(0, 4).size());
        assertEquals(Device.CPU, z.device());
        assertArrayEquals(new double[] {1, 1}, NDArray.zeros(DType.FLOAT64, 2).onesLike().toDoubleArray(), 0);
    }

    @Test
    void arangeCountsLikeNumpy() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, NDArray.arange(5).toIntArray());
        assertArrayEquals(new int[] {2, 5, 8}, NDArray.arange(2, 10, 3).toIntArray());
        assertArrayEquals(new int[] {5, 3, 1}, NDArray.arange(5, 0, -2).toIntArray());
        assertEquals(0, NDArray.arange(3, 3, 1).size());
        assertEquals(0, NDArray.arange(3, 1, 1).size());
        NDArray real = NDArray.arange(0.0, 1.0, 0.25);
        assertEquals(DType.FLOAT32, real.dtype());
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75}, real.toDoubleArray(), 0);
        assertThrows(IllegalArgumentException.class, () -> NDArray.arange(0, 5, 0));
    }

    @Test
    void linspaceIncludesBothEnds() {
        NDArray x = NDArray.linspace(DType.FLOAT64, -1, 1, 5);
        assertArrayEquals(new double[] {-1, -0.5, 0, 0.5, 1}, x.toDoubleArray(), 1e-15);
        double[] many = NDArray.linspace(DType.FLOAT64, 0, 0.3, 7).toDoubleArray();
        assertEquals(0.3, many[6], 0);
        assertEquals(0.05, many[1], 1e-16);
        assertArrayEquals(new double[] {3}, NDArray.linspace(3, 9, 1).toDoubleArray(), 0);
        assertEquals(0, NDArray.linspace(0, 1, 0).size());
        assertThrows(IllegalArgumentException.class, () -> NDArray.linspace(0, 1, -1));
    }

    @Test
    void eyeIsTheIdentity() {
        NDArray eye = NDArray.eye(DType.FLOAT64, 3);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(i == j ? 1.0 : 0.0, eye.get(i, j), 0);
            }
        }
        assertEquals(0, NDArray.eye(0).size());
    }

    @Test
    void ofCopiesTheDataAndChecksTheShape() {
        float[] data = {1, 2, 3, 4, 5, 6};
        NDArray x = NDArray.of(data, 2, 3);
        data[0] = 100;
        assertEquals(1, x.get(0, 0), 0);
        assertEquals(6, x.get(1, 2), 0);
        assertEquals(5, x.get(-1, -2), 0);
        assertArrayEquals(new int[] {3}, NDArray.of(new int[] {1, 2, 3}).shape());
        assertEquals(DType.FLOAT64, NDArray.of(new double[] {1}).dtype());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NDArray.of(new float[] {1, 2, 3}, 2, 2));
        assertEquals("of: 3 values do not fill shape [2, 2] (4 elements)", e.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(2, -1));
        assertEquals("zeros: sizes must be non-negative, got [2, -1]", negative.getMessage());
    }

    @Test
    void intArraysRefuseValuesThatAreNotWholeNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NDArray.full(DType.INT32, 1.5, 2));
        assertEquals("full: 1.5 is not an INT32 value (a whole number within range)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(DType.INT32, 2).set(0.5, 0));
    }

    @Test
    void setAndGetAddressOneElement() {
        NDArray x = NDArray.zeros(DType.FLOAT64, 2, 3);
        assertSame(x, x.set(4.5, 1, 2));
        assertEquals(4.5, x.get(1, 2), 0);
        assertEquals(4.5, x.sum().item(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.get(1));
        assertEquals("get: expected 2 indices for shape [2, 3], got [1]", e.getMessage());
        IndexOutOfBoundsException out = assertThrows(IndexOutOfBoundsException.class, () -> x.get(0, 3));
        assertTrue(out.getMessage().startsWith("select: index 3 is out of range for dimension 0 of size 3"), out.getMessage());
    }

    @Test
    void astypeConvertsExplicitlyAndRoundsTowardZero() {
        NDArray x = NDArray.of(new double[] {-1.7, -0.2, 0.9, 2.5});
        assertArrayEquals(new int[] {-1, 0, 0, 2}, x.astype(DType.INT32).toIntArray());
        assertSame(x, x.astype(DType.FLOAT64));
        assertEquals(DType.FLOAT32, x.astype(DType.FLOAT32).dtype());
        assertEquals((float) -1.7, x.astype(DType.FLOAT32).toFloatArray()[0], 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, x::toIntArray);
        assertTrue(e.getMessage().contains("toIntArray: the array is FLOAT64"), e.getMessage());
    }

    @Test
    void toTheSameDeviceIsANoOpAndUnknownDevicesAreClearErrors() {
        NDArray x = NDArray.ones(2);
        assertSame(x, x.to(Device.CPU));
        // core's tests have no CUDA module on the class path
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.to(Device.cuda(0)));
        assertTrue(e.getMessage().contains("no backend for device cuda:0: add the descent-cuda module"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
        assertEquals("cuda:1", Device.cuda(1).toString());
    }

    @Test
    void threadCountIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Descent.setNumThreads(0));
        assertEquals("Descent.setNumThreads: threads must be >= 1, got 0", e.getMessage());
        assertTrue(Descent.numThreads() >= 1);
    }
}
