package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StridedLayoutTest {

    /** Where element i (row-major over shape) sits in an operand, computed directly. */
    private static long direct(int[] shape, int[] strides, int offset, long i) {
        long result = offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            result += (i % shape[d]) * strides[d];
            i /= shape[d];
        }
        return result;
    }

    @Test
    void packedLayoutsAddressEveryElementAsTheOriginalStridesDo() {
        Random random = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int rank = random.nextInt(7);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + random.nextInt(4);
            }
            int operands = 1 + random.nextInt(4);
            int[][] strides = new int[operands][rank];
            int[] offsets = new int[operands];
            for (int k = 0; k < operands; k++) {
                // contiguous, broadcast (stride 0), transposed-looking or padded strides
                int running = 1;
                for (int d = rank - 1; d >= 0; d--) {
                    int kind = random.nextInt(4);
                    strides[k][d] = kind == 0 ? 0 : kind == 1 ? running * 2 : running;
                    running *= shape[d] * (kind == 1 ? 2 : 1);
                }
                offsets[k] = random.nextInt(10);
            }
            StridedLayout layout = StridedLayout.of("test", shape, strides, offsets);
            int[] packed = layout.pack();
            long count = 1;
            for (int size : shape) {
                count *= size;
            }
            assertEquals(count, layout.count());
            for (long i = 0; i < count; i++) {
                for (int k = 0; k < operands; k++) {
                    assertEquals(direct(shape, strides[k], offsets[k], i), StridedLayout.offsetOf(packed, k, i),
                            "element " + i + " of operand " + k);
                }
            }
        }
    }

    @Test
    void contiguousOperandsMergeToOneDimension() {
        int[] shape = {4, 3, 5};
        int[] contiguous = {15, 5, 1};
        StridedLayout layout = StridedLayout.of("add", shape, new int[][] {contiguous, contiguous, contiguous}, new int[] {0, 0, 0});
        assertEquals(1, layout.rank());
        assertEquals(60, layout.count());
    }

    @Test
    void aBroadcastRowKeepsTwoDimensions() {
        // bias [5] broadcast over [4, 5]: stride 0 on rows
        StridedLayout layout = StridedLayout.of("add", new int[] {4, 5}, new int[][] {{5, 1}, {0, 1}, {5, 1}}, new int[] {0, 0, 0});
        assertEquals(2, layout.rank());
    }

    @Test
    void sizeOneDimensionsAreDroppedWhateverTheirStride() {
        StridedLayout layout = StridedLayout.of("copy", new int[] {1, 3, 1, 2}, new int[][] {{99, 2, 77, 1}, {0, 2, 5, 1}}, new int[] {0, 0});
        assertEquals(1, layout.rank());
        assertEquals(6, layout.count());
    }

    @Test
    void packsRankSizesStridesAndOffsetsInTheStructOrder() {
        int[] packed = StridedLayout.of("copy", new int[] {2, 3}, new int[][] {{1, 2}, {3, 1}}, new int[] {4, 9}).pack();
        assertEquals(StridedLayout.INTS, packed.length);
        assertEquals(45, packed.length);
        assertEquals(2, packed[0]);
        assertEquals(2, packed[1]);
        assertEquals(3, packed[2]);
        assertEquals(1, packed[9]);   // operand 0, dimension 0
        assertEquals(2, packed[10]);
        assertEquals(3, packed[17]);  // operand 1, dimension 0
        assertEquals(4, packed[41]);
        assertEquals(9, packed[42]);
    }

    @Test
    void tooManyUnmergeableDimensionsAreAnErrorNamingTheOp() {
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] strides = new int[9];
        int running = 1;
        for (int d = 8; d >= 0; d--) {
            strides[d] = running;
            running *= 3;  // padded: no two dimensions merge
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StridedLayout.of("unary EXP", shape, new int[][] {strides}, new int[] {0}));
        assertTrue(e.getMessage().contains("unary EXP") && e.getMessage().contains("at most 8"), e.getMessage());
    }

    @Test
    void unmergedLayoutsKeepEveryDimension() {
        StridedLayout layout = StridedLayout.unmerged("gather", new int[] {1, 4, 3}, new int[][] {{12, 3, 1}}, new int[] {0});
        assertEquals(3, layout.rank());
        assertEquals(3, layout.pack()[3]);
    }
}
