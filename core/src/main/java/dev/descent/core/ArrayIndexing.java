package dev.descent.core;

import java.util.Arrays;

/** Argument checks for the index-driven ops ({@code gather}, {@code scatterAdd}, {@code indexSelect}, {@code oneHot}). */
final class ArrayIndexing {
    private ArrayIndexing() {
    }

    static NDArray gather(NDArray x, int dim, NDArray index) {
        int d = checkIndexLike("gather", x, dim, index);
        NDArray out = NDArray.empty(x.dtype(), index.shape(), x.device());
        x.backend().gather(x, d, index, out);
        return out;
    }

    static void scatterAdd(NDArray target, int dim, NDArray index, NDArray source) {
        int d = checkIndexLike("scatterAdd", target, dim, index);
        NDArray.checkSameDevice("scatterAdd", target, source);
        if (!Arrays.equals(index.shape(), source.shape())) {
            throw new IllegalArgumentException("scatterAdd: index shape " + Arrays.toString(index.shape())
                    + " and source shape " + Arrays.toString(source.shape()) + " must be equal");
        }
        if (DType.promote(target.dtype(), source.dtype()) != target.dtype()) {
            throw new IllegalArgumentException("scatterAdd: cannot add " + source.dtype() + " values into a "
                    + target.dtype() + " array");
        }
        target.backend().scatterAdd(target, d, index, source.astype(target.dtype()));
    }

    static NDArray indexSelect(NDArray x, int dim, NDArray index) {
        int d = Shape.normalizeDim("indexSelect", dim, x.rank());
        NDArray.checkSameDevice("indexSelect", x, index);
        if (index.dtype() != DType.INT32 || index.rank() != 1) {
            throw new IllegalArgumentException("indexSelect: index must be a 1-d INT32 array, got " + index.dtype() + " "
                    + Arrays.toString(index.shape()));
        }
        checkRange("indexSelect", index, x.shape()[d], d);
        int[] shape = x.shape();
        shape[d] = index.size();
        NDArray out = NDArray.empty(x.dtype(), shape, x.device());
        x.backend().indexSelect(x, d, index, out);
        return out;
    }

    static NDArray oneHot(NDArray labels, int numClasses) {
        if (labels.dtype() != DType.INT32) {
            throw new IllegalArgumentException("oneHot: labels must be INT32, got " + labels.dtype());
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("oneHot: numClasses must be positive, got " + numClasses);
        }
        checkRange("oneHot", labels, numClasses, -1);
        NDArray classes = NDArray.arange(numClasses);
        return labels.unsqueeze(-1).eq(classes).astype(DType.FLOAT32);
    }

    /** gather/scatter: index is INT32 of the same rank, no larger than x outside {@code dim}, values in range. */
    private static int checkIndexLike(String op, NDArray x, int dim, NDArray index) {
        int d = Shape.normalizeDim(op, dim, x.rank());
        NDArray.checkSameDevice(op, x, index);
        if (index.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": index must be INT32, got " + index.dtype());
        }
        if (index.rank() != x.rank()) {
            throw new IllegalArgumentException(op + ": index shape " + Arrays.toString(index.shape())
                    + " must have the same rank as " + Arrays.toString(x.shape()));
        }
        for (int j = 0; j < x.rank(); j++) {
            if (j != d && index.shape()[j] > x.shape()[j]) {
                throw new IllegalArgumentException(op + ": index shape " + Arrays.toString(index.shape())
                        + " is larger than " + Arrays.toString(x.shape()) + " in dimension " + j);
            }
        }
        checkRange(op, index, x.shape()[d], d);
        return d;
    }

    private static void checkRange(String op, NDArray index, int size, int dim) {
        if (index.size() == 0) {
            return;
        }
        if (index.device().type() != Device.Type.CPU) {
            // reading the bounds back would stall every gather on a GPU: counted there, reported at the next read;
            // the kernels never follow an index outside the range meanwhile
            DeferredChecks.requireInRange(op + " index range " + size + " " + dim, index, size, 0,
                    count -> new IndexOutOfBoundsException(op + ": " + count + " index value(s) on " + index.device() + " out of range for "
                            + (dim >= 0 ? "dimension " + dim + " of size " + size : size + " classes") + " (expected 0 to " + (size - 1)
                            + "); found at this read, checked on the device since the previous one"));
            return;
        }
        int low = (int) index.min().item();
        int high = (int) index.max().item();
        if (low < 0 || high >= size) {
            int bad = low < 0 ? low : high;
            throw new IndexOutOfBoundsException(op + ": index " + bad + " is out of range for "
                    + (dim >= 0 ? "dimension " + dim + " of size " + size : size + " classes")
                    + " (expected 0 to " + (size - 1) + ")");
        }
    }
}
