package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FormatTest {

    @Test
    void smallArraysPrintEveryValueAligned() {
        NDArray x = NDArray.of(new float[] {1, -2.5f, 3, 40}, 2, 2);
        assertEquals("NDArray(FLOAT32, [2, 2], cpu)\n[[ 1.0000, -2.5000],\n [ 3.0000, 40.0000]]", x.toString());
        assertEquals("NDArray(INT32, [3], cpu)\n[ 7, -1, 12]", NDArray.of(new int[] {7, -1, 12}).toString());
        assertEquals("NDArray(FLOAT64, [], cpu)\n0.5000", NDArray.scalar(DType.FLOAT64, 0.5).toString());
        assertEquals("NDArray(FLOAT32, [0], cpu)\n[]", NDArray.zeros(0).toString());
        assertEquals("NDArray(FLOAT64, [3], cpu)\n[   nan,    inf, 1.0000]",
                NDArray.of(new double[] {Double.NaN, Double.POSITIVE_INFINITY, 1}).toString());
        assertEquals("NDArray(FLOAT64, [2], cpu)\n[1.0000e-06, 2.0000e+00]", NDArray.of(new double[] {1e-6, 2}).toString());
    }

    @Test
    void threeDimensionalArraysSeparateBlocksWithABlankLine() {
        String text = NDArray.arange(8).reshape(2, 2, 2).toString();
        assertEquals("NDArray(INT32, [2, 2, 2], cpu)\n[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]", text);
    }

    @Test
    void bigArraysAreSummarizedWithEllipses() {
        String text = NDArray.arange(2000).reshape(40, 50).toString();
        assertTrue(text.startsWith("NDArray(INT32, [40, 50], cpu)\n[[   0,    1,    2, ...,   47,   48,   49],\n"), text);
        assertTrue(text.contains(" ...,\n"), text);
        assertTrue(text.endsWith("[1950, 1951, 1952, ..., 1997, 1998, 1999]]"), text);
        assertFalse(text.contains("1000"), text);
    }

    @Test
    void equalsComparesDtypeShapeAndValuesAndAllCloseUsesTolerances() {
        NDArray a = NDArray.of(new double[] {1, 2, 3});
        assertEquals(a, NDArray.of(new double[] {1, 2, 3}));
        assertEquals(a.hashCode(), NDArray.of(new double[] {1, 2, 3}).hashCode());
        assertNotEquals(a, NDArray.of(new float[] {1, 2, 3}));
        assertNotEquals(a, NDArray.of(new double[] {1, 2, 3}, 3, 1));
        assertNotEquals(a, NDArray.of(new double[] {1, 2, 4}));
        assertEquals(a.t(), a.reshape(3).contiguous());
        assertTrue(a.allClose(NDArray.of(new double[] {1, 2, 3 + 1e-6}), 1e-5, 0));
        assertFalse(a.allClose(NDArray.of(new double[] {1, 2, 3 + 1e-3}), 1e-5, 1e-8));
        assertTrue(a.allClose(NDArray.of(new float[] {1, 2, 3})));
        assertFalse(a.allClose(NDArray.of(new double[] {1, 2})));
        NDArray nan = NDArray.of(new double[] {Double.NaN});
        assertFalse(nan.allClose(nan));
        NDArray inf = NDArray.of(new double[] {Double.POSITIVE_INFINITY});
        assertTrue(inf.allClose(inf));
    }
}
