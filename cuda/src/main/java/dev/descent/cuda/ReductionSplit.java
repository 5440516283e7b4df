package dev.descent.cuda;

import dev.descent.core.NDArray;

/**
 * How a reduction kernel walks x: the kept dimensions ({@code outer}: operand 0 x, operand 1 the
 * output, one output element per step of a block) and the reduced ones ({@code inner}: operand 0
 * x at offset 0, strided over by the block's threads). Both are merged where contiguous.
 */
record ReductionSplit(StridedLayout outer, StridedLayout inner) {
    static ReductionSplit of(NDArray x, int[] dims, NDArray out) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int keptCount = rank - dims.length;
        int[] keptShape = new int[keptCount];
        int[] keptStrides = new int[keptCount];
        int[] reducedShape = new int[dims.length];
        int[] reducedStrides = new int[dims.length];
        int k = 0;
        int r = 0;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                reducedShape[r] = x.shape()[d];
                reducedStrides[r++] = x.strides()[d];
            } else {
                keptShape[k] = x.shape()[d];
                keptStrides[k++] = x.strides()[d];
            }
        }
        if (out.rank() != keptCount) {
            throw new IllegalArgumentException("reduce on CUDA: output of rank " + out.rank() + " for " + keptCount + " kept dimensions");
        }
        StridedLayout outer = StridedLayout.of("reduce", keptShape, new int[][] {keptStrides, out.strides()}, new int[] {x.offset(), out.offset()});
        StridedLayout inner = StridedLayout.of("reduce", reducedShape, new int[][] {reducedStrides}, new int[] {0});
        return new ReductionSplit(outer, inner);
    }
}
