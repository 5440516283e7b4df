package dev.descent.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Joining arrays along a dimension ({@code concat}, {@code stack}) and cutting one into views ({@code split}). */
final class ArrayJoins {
    private ArrayJoins() {
    }

    static NDArray concat(int dim, NDArray... arrays) {
        if (arrays.length == 0) {
            throw new IllegalArgumentException("concat: expected at least one array");
        }
        NDArray first = arrays[0];
        int rank = first.rank();
        if (rank == 0) {
            throw new IllegalArgumentException("concat: scalars (shape []) cannot be concatenated; use stack");
        }
        int d = Shape.normalizeDim("concat", dim, rank);
        DType dtype = first.dtype();
        int total = 0;
        for (int i = 0; i < arrays.length; i++) {
            NDArray x = arrays[i];
            NDArray.checkSameDevice("concat", first, x);
            if (x.rank() != rank) {
                throw new IllegalArgumentException("concat: array " + i + " has shape " + Arrays.toString(x.shape())
                        + " but array 0 has shape " + Arrays.toString(first.shape()) + " (ranks differ)");
            }
            for (int j = 0; j < rank; j++) {
                if (j != d && x.shape()[j] != first.shape()[j]) {
                    throw new IllegalArgumentException("concat: array " + i + " has shape " + Arrays.toString(x.shape())
                            + " but array 0 has shape " + Arrays.toString(first.shape())
                            + "; sizes must match except in dimension " + d);
                }
            }
            dtype = DType.promote(dtype, x.dtype());
            total += x.shape()[d];
        }
        int[] shape = first.shape();
        shape[d] = total;
        NDArray out = NDArray.empty(dtype, shape, first.device());
        int start = 0;
        for (NDArray x : arrays) {
            int length = x.shape()[d];
            out.backend().copy(x.astype(dtype), out.narrow(d, start, length));
            start += length;
        }
        return out;
    }

    static NDArray stack(int dim, NDArray... arrays) {
        if (arrays.length == 0) {
            throw new IllegalArgumentException("stack: expected at least one array");
        }
        int d = Shape.normalizeDim("stack", dim, arrays[0].rank() + 1);
        NDArray[] expanded = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            if (!Arrays.equals(arrays[i].shape(), arrays[0].shape())) {
                throw new IllegalArgumentException("stack: array " + i + " has shape " + Arrays.toString(arrays[i].shape())
                        + " but array 0 has shape " + Arrays.toString(arrays[0].shape()) + " (all must be equal)");
            }
            expanded[i] = arrays[i].unsqueeze(d);
        }
        return concat(d, expanded);
    }

    static List<NDArray> split(NDArray x, int[] sizes, int dim) {
        int d = Shape.normalizeDim("split", dim, x.rank());
        long total = 0;
        for (int size : sizes) {
            if (size < 0) {
                throw new IllegalArgumentException("split: sizes must be non-negative, got " + Arrays.toString(sizes));
            }
            total += size;
        }
        if (total != x.shape()[d]) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + total
                    + " but dimension " + d + " of shape " + Arrays.toString(x.shape()) + " has size " + x.shape()[d]);
        }
        List<NDArray> parts = new ArrayList<>(sizes.length);
        int start = 0;
        for (int size : sizes) {
            parts.add(x.narrow(d, start, size));
            start += size;
        }
        return parts;
    }

    static List<NDArray> split(NDArray x, int splitSize, int dim) {
        int d = Shape.normalizeDim("split", dim, x.rank());
        if (splitSize <= 0) {
            throw new IllegalArgumentException("split: split size must be positive, got " + splitSize);
        }
        int length = x.shape()[d];
        int pieces = Math.max(1, (length + splitSize - 1) / splitSize);
        int[] sizes = new int[pieces];
        for (int i = 0; i < pieces; i++) {
            sizes[i] = Math.min(splitSize, length - i * splitSize);
        }
        return split(x, sizes, d);
    }
}
