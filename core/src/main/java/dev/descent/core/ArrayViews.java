package dev.descent.core;

import java.util.Arrays;

/** The shape and stride arithmetic behind NDArray's views; every method returns a view sharing storage. */
final class ArrayViews {
    private ArrayViews() {
    }

    /** {@code shape} with at most one -1 replaced by the size that keeps {@code size} elements. */
    static int[] inferShape(String op, int[] from, int size, int[] shape) {
        int[] result = shape.clone();
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < result.length; d++) {
            if (result[d] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + Arrays.toString(shape));
                }
                inferred = d;
            } else if (result[d] < 0) {
                throw new IllegalArgumentException(op + ": sizes must be non-negative or -1, got " + Arrays.toString(shape));
            } else {
                known *= result[d];
            }
        }
        if (inferred >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + Arrays.toString(from) + " (" + size
                        + " elements) into " + Arrays.toString(shape));
            }
            result[inferred] = (int) (size / known);
            known *= result[inferred];
        }
        if (known != size) {
            throw new IllegalArgumentException(op + ": cannot reshape " + Arrays.toString(from) + " (" + size
                    + " elements) into " + Arrays.toString(shape) + " (" + known + " elements)");
        }
        return result;
    }

    static NDArray permute(NDArray x, int[] order) {
        int rank = x.rank();
        if (order.length != rank) {
            throw new IllegalArgumentException("permute: expected " + rank + " dimensions for an array of shape "
                    + Arrays.toString(x.shape()) + ", got " + Arrays.toString(order));
        }
        boolean[] seen = new boolean[rank];
        int[] shape = new int[rank];
        int[] strides = new int[rank];
        for (int d = 0; d < rank; d++) {
            int source = Shape.normalizeDim("permute", order[d], rank);
            if (seen[source]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(order) + " repeats dimension " + source);
            }
            seen[source] = true;
            shape[d] = x.shape()[source];
            strides[d] = x.strides()[source];
        }
        return new NDArray(x.storage(), shape, strides, x.offset());
    }

    static NDArray transpose(NDArray x, int dim0, int dim1) {
        int rank = x.rank();
        int a = Shape.normalizeDim("transpose", dim0, rank);
        int b = Shape.normalizeDim("transpose", dim1, rank);
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        order[a] = b;
        order[b] = a;
        return permute(x, order);
    }

    static NDArray squeeze(NDArray x, int dim) {
        int d = Shape.normalizeDim("squeeze", dim, x.rank());
        if (x.shape()[d] != 1) {
            return x;
        }
        return new NDArray(x.storage(), remove(x.shape(), d), remove(x.strides(), d), x.offset());
    }

    static NDArray squeezeAll(NDArray x) {
        NDArray result = x;
        for (int d = x.rank() - 1; d >= 0; d--) {
            result = squeeze(result, d);
        }
        return result;
    }

    static NDArray unsqueeze(NDArray x, int dim) {
        int rank = x.rank();
        int d = Shape.normalizeDim("unsqueeze", dim, rank + 1);
        int stride = d < rank ? x.strides()[d] * Math.max(1, x.shape()[d]) : 1;
        return new NDArray(x.storage(), insert(x.shape(), d, 1), insert(x.strides(), d, stride), x.offset());
    }

    static NDArray expand(NDArray x, int[] sizes) {
        int rank = x.rank();
        if (sizes.length < rank) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Arrays.toString(x.shape()) + " to "
                    + Arrays.toString(sizes) + " (fewer dimensions)");
        }
        int lead = sizes.length - rank;
        int[] shape = new int[sizes.length];
        int[] strides = new int[sizes.length];
        for (int d = 0; d < sizes.length; d++) {
            int source = d - lead;
            int current = source >= 0 ? x.shape()[source] : 1;
            int wanted = sizes[d] == -1 && source >= 0 ? current : sizes[d];
            if (wanted < 0) {
                throw new IllegalArgumentException("expand: size " + sizes[d] + " at dimension " + d + " of "
                        + Arrays.toString(sizes) + " is invalid (-1 is only allowed for existing dimensions)");
            }
            if (current == wanted) {
                shape[d] = current;
                strides[d] = source >= 0 ? x.strides()[source] : 0;
            } else if (current == 1) {
                shape[d] = wanted;
                strides[d] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand shape " + Arrays.toString(x.shape()) + " to "
                        + Arrays.toString(sizes) + ": dimension " + d + " has size " + current + " (only size 1 can expand)");
            }
        }
        return new NDArray(x.storage(), shape, strides, x.offset());
    }

    static NDArray slice(NDArray x, int dim, int start, int end, int step) {
        int d = Shape.normalizeDim("slice", dim, x.rank());
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int size = x.shape()[d];
        int from = clampIndex(start, size);
        int to = clampIndex(end, size);
        int length = to > from ? (to - from + step - 1) / step : 0;
        int[] shape = x.shape();
        int[] strides = x.strides();
        shape[d] = length;
        int offset = x.offset() + (length > 0 ? from * strides[d] : 0);
        strides[d] *= step;
        return new NDArray(x.storage(), shape, strides, offset);
    }

    /** A Python-style slice bound: negative counts from the end, then clipped to [0, size]. */
    private static int clampIndex(int index, int size) {
        int i = index < 0 ? index + size : index;
        return Math.max(0, Math.min(size, i));
    }

    static NDArray narrow(NDArray x, int dim, int start, int length) {
        int d = Shape.normalizeDim("narrow", dim, x.rank());
        int size = x.shape()[d];
        if (start < 0 || length < 0 || (long) start + length > size) {
            throw new IndexOutOfBoundsException("narrow: start " + start + " and length " + length
                    + " do not fit dimension " + d + " of size " + size + " in shape " + Arrays.toString(x.shape()));
        }
        int[] shape = x.shape();
        shape[d] = length;
        return new NDArray(x.storage(), shape, x.strides(), x.offset() + (length > 0 ? start * x.strides()[d] : 0));
    }

    static NDArray select(NDArray x, int dim, int index) {
        int d = Shape.normalizeDim("select", dim, x.rank());
        int size = x.shape()[d];
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("select: index " + index + " is out of range for dimension " + d
                    + " of size " + size + " in shape " + Arrays.toString(x.shape()));
        }
        int i = index < 0 ? index + size : index;
        return new NDArray(x.storage(), remove(x.shape(), d), remove(x.strides(), d), x.offset() + i * x.strides()[d]);
    }

    static int[] remove(int[] values, int index) {
        int[] result = new int[values.length - 1];
        System.arraycopy(values, 0, result, 0, index);
        System.arraycopy(values, index + 1, result, index, values.length - index - 1);
        return result;
    }

    static int[] insert(int[] values, int index, int value) {
        int[] result = new int[values.length + 1];
        System.arraycopy(values, 0, result, 0, index);
        result[index] = value;
        System.arraycopy(values, index, result, index + 1, values.length - index);
        return result;
    }
}
