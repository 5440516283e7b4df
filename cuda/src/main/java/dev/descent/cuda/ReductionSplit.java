package dev.descent.cuda;

import dev.descent.core.NDArray;
import dev.descent.core.ReductionDimensions;

/**
 * How a reduction kernel walks x: the kept dimensions ({@code outer}: operand 0 x, operand 1 the
 * output, one output element per step of a block) and the reduced ones ({@code inner}: operand 0
 * x at offset 0, strided over by the block's threads). Both are merged where contiguous.
 */
record ReductionSplit(StridedLayout outer, StridedLayout inner) {
    static ReductionSplit of(NDArray x, int[] dims, NDArray out) {
        ReductionDimensions split = ReductionDimensions.of(x, dims);
        if (out.rank() != split.keptShape().length) {
            throw new IllegalArgumentException("reduce on CUDA: output of rank " + out.rank() + " for " + split.keptShape().length
                    + " kept dimensions");
        }
        StridedLayout outer = StridedLayout.of("reduce", split.keptShape(), new int[][] {split.keptStrides(), out.strides()},
                new int[] {x.offset(), out.offset()});
        StridedLayout inner = StridedLayout.of("reduce", split.reducedShape(), new int[][] {split.reducedStrides()}, new int[] {0});
        return new ReductionSplit(outer, inner);
    }
}
