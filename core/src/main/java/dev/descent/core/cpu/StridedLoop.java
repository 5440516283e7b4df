package dev.descent.core.cpu;

import dev.descent.core.NDArray;

/**
 * Walks several strided views of one shape together, row by row. Dimensions of size 1 are dropped
 * and neighbouring dimensions that are contiguous for every operand are merged, so a contiguous
 * array is one long row; the innermost remaining dimension is the row a kernel loops over.
 * Large loops are split across the CPU pool by rows.
 */
final class StridedLoop {
    /** Elements below which a loop stays on the calling thread. */
    static final int PARALLEL_THRESHOLD = 1 << 15;

    /** Processes one row: element {@code i} of operand {@code k} is at {@code offsets[k] + i * innerStride(k)}. */
    @FunctionalInterface
    interface Row {
        void run(int[] offsets, int length);
    }

    private final int[] outerShape;
    private final int[][] outerStrides;
    private final int[] innerStrides;
    private final int[] baseOffsets;
    private final int innerLength;
    private final int rows;

    private StridedLoop(int[] shape, int[][] strides, int[] offsets) {
        int operands = strides.length;
        int[] keptShape = new int[shape.length];
        int[][] keptStrides = new int[operands][shape.length];
        int rank = 0;
        boolean empty = false;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                empty = true;
            }
            if (shape[d] == 1) {
                continue;
            }
            if (rank > 0 && mergeable(keptShape, keptStrides, rank - 1, shape[d], strides, d)) {
                keptShape[rank - 1] *= shape[d];
                for (int k = 0; k < operands; k++) {
                    keptStrides[k][rank - 1] = strides[k][d];
                }
                continue;
            }
            keptShape[rank] = shape[d];
            for (int k = 0; k < operands; k++) {
                keptStrides[k][rank] = strides[k][d];
            }
            rank++;
        }
        this.baseOffsets = offsets;
        this.innerStrides = new int[operands];
        if (empty) {
            innerLength = 0;
            rows = 0;
            outerShape = new int[0];
            outerStrides = new int[operands][0];
            return;
        }
        innerLength = rank == 0 ? 1 : keptShape[rank - 1];
        int outerRank = Math.max(rank - 1, 0);
        outerShape = java.util.Arrays.copyOf(keptShape, outerRank);
        outerStrides = new int[operands][];
        for (int k = 0; k < operands; k++) {
            innerStrides[k] = rank == 0 ? 0 : keptStrides[k][rank - 1];
            outerStrides[k] = java.util.Arrays.copyOf(keptStrides[k], outerRank);
        }
        int count = 1;
        for (int size : outerShape) {
            count *= size;
        }
        rows = count;
    }

    /** Whether dimension {@code d} (size {@code size}) continues kept dimension {@code last} for every operand. */
    private static boolean mergeable(int[] keptShape, int[][] keptStrides, int last, int size, int[][] strides, int d) {
        for (int k = 0; k < strides.length; k++) {
            if ((long) keptStrides[k][last] != (long) strides[k][d] * size) {
                return false;
            }
        }
        return true;
    }

    /** A loop over {@code shape} for the given arrays, each already of that shape (or expanded to it). */
    static StridedLoop over(int[] shape, NDArray... arrays) {
        int[][] strides = new int[arrays.length][];
        int[] offsets = new int[arrays.length];
        for (int k = 0; k < arrays.length; k++) {
            strides[k] = arrays[k].strides();
            offsets[k] = arrays[k].offset();
        }
        return new StridedLoop(shape, strides, offsets);
    }

    /** A loop over {@code shape} for one operand with these strides, offsets counted from 0 (a block walked from bases the caller adds). */
    static StridedLoop overBlock(int[] shape, int[] strides) {
        return new StridedLoop(shape, new int[][] {strides}, new int[1]);
    }

    int innerStride(int operand) {
        return innerStrides[operand];
    }

    int innerLength() {
        return innerLength;
    }

    /** Runs {@code row} over every row, in parallel when the loop is large. */
    void run(Row row) {
        if (rows == 0 || innerLength == 0) {
            return;
        }
        int grain = Math.max(1, PARALLEL_THRESHOLD / innerLength);
        Parallel.forRange(rows, grain, (start, end) -> runRows(row, start, end));
    }

    /** Runs {@code row} over every row on the calling thread, in order. */
    void runSerial(Row row) {
        if (rows > 0 && innerLength > 0) {
            runRows(row, 0, rows);
        }
    }

    private void runRows(Row row, int start, int end) {
        int operands = baseOffsets.length;
        int outerRank = outerShape.length;
        int[] index = new int[outerRank];
        int[] offsets = baseOffsets.clone();
        int remainder = start;
        for (int d = outerRank - 1; d >= 0; d--) {
            index[d] = remainder % outerShape[d];
            remainder /= outerShape[d];
            for (int k = 0; k < operands; k++) {
                offsets[k] += index[d] * outerStrides[k][d];
            }
        }
        int[] rowOffsets = new int[operands];
        for (int r = start; r < end; r++) {
            System.arraycopy(offsets, 0, rowOffsets, 0, operands);
            row.run(rowOffsets, innerLength);
            for (int d = outerRank - 1; d >= 0; d--) {
                index[d]++;
                for (int k = 0; k < operands; k++) {
                    offsets[k] += outerStrides[k][d];
                }
                if (index[d] < outerShape[d]) {
                    break;
                }
                for (int k = 0; k < operands; k++) {
                    offsets[k] -= outerStrides[k][d] * outerShape[d];
                }
                index[d] = 0;
            }
        }
    }
}
