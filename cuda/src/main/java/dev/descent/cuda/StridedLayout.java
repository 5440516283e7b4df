package dev.descent.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code Layout} struct of {@code common.cuh}: up to four operands that share one shape, each
 * with its own strides and offset. Before packing, dimensions of size 1 are dropped and
 * neighbouring dimensions that are contiguous in every operand are merged, so a contiguous or
 * broadcast-row operation reaches the kernel with rank 1 or 2 and costs one division per element.
 *
 * <p>Packed as 45 ints: rank, 8 sizes, 4 x 8 strides, 4 offsets (unused slots zero). Element
 * {@code i} in row-major order over the sizes sits in operand {@code k} at
 * {@code offset[k] + sum_d coordinate_d * stride[k][d]}.
 */
final class StridedLayout {
    static final int MAX_DIMS = 8;
    static final int MAX_OPERANDS = 4;
    static final int INTS = 1 + MAX_DIMS + MAX_OPERANDS * MAX_DIMS + MAX_OPERANDS;

    private final int[] sizes;
    private final int[][] strides;
    private final int[] offsets;

    private StridedLayout(int[] sizes, int[][] strides, int[] offsets) {
        this.sizes = sizes;
        this.strides = strides;
        this.offsets = offsets;
    }

    /**
     * The simplified layout of operands that share {@code shape}; {@code strides[k]} and
     * {@code offsets[k]} describe operand k. Throws when more than {@link #MAX_DIMS} dimensions
     * remain after merging.
     */
    static StridedLayout of(String op, int[] shape, int[][] strides, int[] offsets) {
        if (strides.length > MAX_OPERANDS || strides.length != offsets.length) {
            throw new IllegalArgumentException(op + ": a CUDA layout takes 1 to " + MAX_OPERANDS + " operands, got "
                    + strides.length + " stride lists and " + offsets.length + " offsets");
        }
        List<Integer> keptSizes = new ArrayList<>();
        List<int[]> keptStrides = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            int[] column = new int[strides.length];
            for (int k = 0; k < strides.length; k++) {
                column[k] = strides[k][d];
            }
            int last = keptSizes.size() - 1;
            if (last >= 0 && mergeable(keptStrides.get(last), column, shape[d])) {
                // the previous dimension steps exactly over this one in every operand: one dimension
                keptSizes.set(last, keptSizes.get(last) * shape[d]);
                keptStrides.set(last, column);
            } else {
                keptSizes.add(shape[d]);
                keptStrides.add(column);
            }
        }
        if (keptSizes.size() > MAX_DIMS) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " has " + keptSizes.size()
                    + " dimensions that cannot be merged; CUDA kernels take at most " + MAX_DIMS);
        }
        int rank = keptSizes.size();
        int[] sizes = new int[rank];
        int[][] packedStrides = new int[strides.length][rank];
        for (int d = 0; d < rank; d++) {
            sizes[d] = keptSizes.get(d);
            for (int k = 0; k < strides.length; k++) {
                packedStrides[k][d] = keptStrides.get(d)[k];
            }
        }
        return new StridedLayout(sizes, packedStrides, offsets.clone());
    }

    /**
     * The layout without merging or dropping dimensions, for kernels that address one dimension
     * by its number (gather, scatter-add, index-select).
     */
    static StridedLayout unmerged(String op, int[] shape, int[][] strides, int[] offsets) {
        if (shape.length > MAX_DIMS) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " has " + shape.length
                    + " dimensions; CUDA kernels take at most " + MAX_DIMS);
        }
        int[][] copies = new int[strides.length][];
        for (int k = 0; k < strides.length; k++) {
            copies[k] = strides[k].clone();
        }
        return new StridedLayout(shape.clone(), copies, offsets.clone());
    }

    private static boolean mergeable(int[] outer, int[] inner, int innerSize) {
        for (int k = 0; k < outer.length; k++) {
            if ((long) outer[k] != (long) inner[k] * innerSize) {
                return false;
            }
        }
        return true;
    }

    /** The dimensions left after merging. */
    int rank() {
        return sizes.length;
    }

    /** The number of elements. */
    long count() {
        long n = 1;
        for (int size : sizes) {
            n *= size;
        }
        return n;
    }

    /** The 45 ints of the kernel parameter. */
    int[] pack() {
        int[] packed = new int[INTS];
        packed[0] = sizes.length;
        System.arraycopy(sizes, 0, packed, 1, sizes.length);
        for (int k = 0; k < strides.length; k++) {
            System.arraycopy(strides[k], 0, packed, 1 + MAX_DIMS + k * MAX_DIMS, sizes.length);
        }
        System.arraycopy(offsets, 0, packed, 1 + MAX_DIMS + MAX_OPERANDS * MAX_DIMS, offsets.length);
        return packed;
    }

    /** What the kernel computes for element {@code i} of operand {@code k} of a packed layout (host-side tests). */
    static long offsetOf(int[] packed, int operand, long i) {
        long offset = packed[1 + MAX_DIMS + MAX_OPERANDS * MAX_DIMS + operand];
        for (int d = packed[0] - 1; d >= 0; d--) {
            int size = packed[1 + d];
            offset += (i % size) * packed[1 + MAX_DIMS + operand * MAX_DIMS + d];
            i /= size;
        }
        return offset;
    }
}
