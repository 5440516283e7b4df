package dev.descent.core;

import java.util.Arrays;

/**
 * Helpers for shapes ({@code int[]} sizes, outermost first) and row-major strides, shared by the
 * array code and by backends. Broadcasting follows NumPy: shapes are aligned at their last
 * dimension, and two sizes are compatible when they are equal or one of them is 1.
 */
public final class Shape {
    private Shape() {
    }

    /** The number of elements of an array of this shape (1 for a scalar shape {@code []}). */
    public static int numel(int[] shape) {
        long count = 1;
        for (int size : shape) {
            count *= size;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than "
                        + Integer.MAX_VALUE + " elements, the most one array can hold");
            }
        }
        return (int) count;
    }

    /** Row-major (C-order) strides in elements for a contiguous array of this shape. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /** Checks that every size is non-negative; {@code op} names the operation in the message. */
    public static int[] checkSizes(String op, int[] shape) {
        for (int size : shape) {
            if (size < 0) {
                throw new IllegalArgumentException(op + ": sizes must be non-negative, got " + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    /** The broadcast shape of {@code a} and {@code b}, or an error naming {@code op}. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] result = new int[rank];
        for (int i = 0; i < rank; i++) {
            int sa = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int sb = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (sa != sb && sa != 1 && sb != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast: dimension " + i + " of the result has sizes " + sa + " and " + sb
                        + " (each must be equal or 1)");
            }
            result[i] = sa == 1 ? sb : sa;
        }
        return result;
    }

    /** A dimension index in {@code [-rank, rank)} made non-negative, or an error naming {@code op}. */
    public static int normalizeDim(String op, int dim, int rank) {
        if (dim < -rank || dim >= rank) {
            throw new IndexOutOfBoundsException(op + ": dimension " + dim + " is out of range for an array of rank "
                    + rank + " (expected " + (rank == 0 ? "no dimension" : "-" + rank + " to " + (rank - 1)) + ")");
        }
        return dim < 0 ? dim + rank : dim;
    }

    /** The shape as {@code [2, 3]}. */
    public static String toString(int[] shape) {
        return Arrays.toString(shape);
    }
}
