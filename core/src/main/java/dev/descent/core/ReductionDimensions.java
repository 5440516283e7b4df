package dev.descent.core;

/**
 * For backends: a reduction's view of its input, split into the kept dimensions (one output
 * element per index) and the reduced ones (the block each output element sums over), each with x's
 * sizes and strides in their original order. The CPU and CUDA reductions both walk x this way.
 *
 * @param keptShape      the sizes of the dimensions the output keeps
 * @param keptStrides    x's strides along them
 * @param reducedShape   the sizes of the reduced dimensions
 * @param reducedStrides x's strides along them
 */
public record ReductionDimensions(int[] keptShape, int[] keptStrides, int[] reducedShape, int[] reducedStrides) {
    /** The split of {@code x} for a reduction over {@code dims} (valid, distinct dimensions of x). */
    public static ReductionDimensions of(NDArray x, int[] dims) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int keptRank = rank - dims.length;
        int[] keptShape = new int[keptRank];
        int[] keptStrides = new int[keptRank];
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
        return new ReductionDimensions(keptShape, keptStrides, reducedShape, reducedStrides);
    }
}
