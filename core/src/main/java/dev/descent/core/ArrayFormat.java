package dev.descent.core;

import java.util.Locale;

/**
 * Prints an array the way NumPy does: a header with dtype, shape and device, then nested brackets
 * with the values right-aligned. Arrays of more than {@link #SUMMARY_THRESHOLD} elements show
 * only the first and last {@link #EDGE_ITEMS} entries of each long dimension, with "..." between.
 */
final class ArrayFormat {
    static final int SUMMARY_THRESHOLD = 1000;
    static final int EDGE_ITEMS = 3;

    private ArrayFormat() {
    }

    static String format(NDArray x) {
        StringBuilder text = new StringBuilder();
        text.append("NDArray(").append(x.dtype()).append(", ").append(Shape.toString(x.shape())).append(", ")
                .append(x.device()).append(")\n");
        double[] values = x.toDoubleArray();
        boolean summarize = values.length > SUMMARY_THRESHOLD;
        int[] strides = Shape.contiguousStrides(x.shape());
        // only the elements that are shown are formatted, and they set the column width
        java.util.List<Integer> shown = new java.util.ArrayList<>();
        collectShown(x.shape(), strides, 0, 0, summarize, shown);
        String pattern = pattern(x.dtype(), values, shown);
        String[] cells = new String[values.length];
        int width = 0;
        for (int i : shown) {
            cells[i] = x.dtype() == DType.INT32 ? Integer.toString((int) values[i]) : formatReal(pattern, values[i]);
            width = Math.max(width, cells[i].length());
        }
        appendBlock(text, x.shape(), strides, cells, width, 0, 0, summarize);
        return text.toString();
    }

    private static void collectShown(int[] shape, int[] strides, int dim, int offset, boolean summarize,
                                     java.util.List<Integer> shown) {
        if (dim == shape.length) {
            shown.add(offset);
            return;
        }
        int size = shape[dim];
        for (int i = 0; i < size; i++) {
            if (summarize && size > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
                i = size - EDGE_ITEMS;
            }
            collectShown(shape, strides, dim + 1, offset + i * strides[dim], summarize, shown);
        }
    }

    /** Fixed-point with 4 decimals, or scientific when the magnitudes make fixed-point unreadable. */
    private static String pattern(DType dtype, double[] values, java.util.List<Integer> shown) {
        if (dtype == DType.INT32) {
            return "";
        }
        double largest = 0;
        double smallest = Double.POSITIVE_INFINITY;
        for (int i : shown) {
            double v = values[i];
            if (Double.isFinite(v) && v != 0) {
                largest = Math.max(largest, Math.abs(v));
                smallest = Math.min(smallest, Math.abs(v));
            }
        }
        boolean scientific = largest >= 1e8 || (smallest < 1e-4 && largest > 0);
        return scientific ? "%.4e" : "%.4f";
    }

    private static String formatReal(String pattern, double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, pattern, v);
    }

    private static void appendBlock(StringBuilder text, int[] shape, int[] strides, String[] cells, int width,
                                    int dim, int offset, boolean summarize) {
        if (shape.length == 0) {
            text.append(cells[0]);
            return;
        }
        int size = shape[dim];
        boolean cut = summarize && size > 2 * EDGE_ITEMS;
        text.append('[');
        for (int i = 0; i < size; i++) {
            if (cut && i == EDGE_ITEMS) {
                text.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(dim + 1));
                i = size - EDGE_ITEMS;
            }
            if (dim == shape.length - 1) {
                String cell = cells[offset + i * strides[dim]];
                text.append(" ".repeat(width - cell.length())).append(cell);
            } else {
                appendBlock(text, shape, strides, cells, width, dim + 1, offset + i * strides[dim], summarize);
            }
            if (i < size - 1) {
                text.append(dim == shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - 1 - dim) + " ".repeat(dim + 1));
            }
        }
        text.append(']');
    }
}
