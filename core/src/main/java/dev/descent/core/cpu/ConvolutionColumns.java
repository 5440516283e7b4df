package dev.descent.core.cpu;

import java.util.Arrays;

/**
 * The copies between an image and its im2col block, for {@link CpuConvolution}: {@code gather}
 * writes the column block of one image, one group and a band of output rows; {@code scatterAdd}
 * adds a block of column gradients back to the image (col2im). Row (c, a, b) of a block holds tap
 * (a, b) of channel c for the band's output positions, row-major, so the block is the right operand
 * of the GEMM as it lies.
 *
 * <p>Each row of taps is copied with the range of valid output columns worked out once (the rest
 * is padding, zero), so the inner loop is a plain copy: {@code System.arraycopy} when the stride and
 * the image's column stride are 1, the common case. The padding beside a row is zero or one element
 * for a 3x3 kernel, written by a loop: {@code Arrays.fill} called twice for every row of 14 values
 * was 7% of the MNIST CNN's training step.
 */
final class ConvolutionColumns {
    private ConvolutionColumns() {
    }

    /** Where one image's channels lie and how the convolution walks them. */
    record Source(int base, int channelStride, int rowStride, int columnStride, int height, int width) {
    }

    /** The kernel and output geometry a block is cut from. */
    record Taps(int channels, int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft, int dilationH,
                int dilationW, int outputW) {

        /** First output column whose tap b lies inside the image. */
        int firstColumn(int b) {
            int shift = b * dilationW - padLeft;
            return shift >= 0 ? 0 : Math.min(outputW, (-shift + strideW - 1) / strideW);
        }

        /** One past the last output column whose tap b lies inside an image of {@code width} columns. */
        int endColumn(int b, int width) {
            int shift = b * dilationW - padLeft;
            return Math.max(firstColumn(b), Math.min(outputW, Math.floorDiv(width - 1 - shift, strideW) + 1));
        }
    }

    static void gather(float[] x, Source s, Taps t, int row0, int row1, float[] columns) {
        int width = (row1 - row0) * t.outputW();
        int ow = t.outputW();
        boolean runs = rowsFormRuns(s, t);
        int row = 0;
        for (int c = 0; c < t.channels(); c++) {
            for (int a = 0; a < t.kernelH(); a++) {
                for (int b = 0; b < t.kernelW(); b++, row++) {
                    int lo = t.firstColumn(b);
                    int hi = t.endColumn(b, s.width());
                    int shift = b * t.dilationW() - t.padLeft();
                    int to = row * width;
                    if (runs) {
                        gatherRun(x, s, t, row0, row1, c, a, lo, hi, shift, columns, to);
                        continue;
                    }
                    for (int r = row0; r < row1; r++, to += ow) {
                        int ih = imageRow(t, r, a);
                        if (ih < 0 || ih >= s.height() || lo == hi) {
                            Arrays.fill(columns, to, to + ow, 0f);
                            continue;
                        }
                        zeroPadding(columns, to, 1, ow, lo, hi);
                        int from = s.base() + c * s.channelStride() + ih * s.rowStride() + (lo * t.strideW() + shift) * s.columnStride();
                        int step = t.strideW() * s.columnStride();
                        if (step == 1) {
                            System.arraycopy(x, from, columns, to + lo, hi - lo);
                        } else {
                            for (int j = lo; j < hi; j++, from += step) {
                                columns[to + j] = x[from];
                            }
                        }
                    }
                }
            }
        }
    }

    static void gather(double[] x, Source s, Taps t, int row0, int row1, double[] columns) {
        int width = (row1 - row0) * t.outputW();
        int ow = t.outputW();
        int row = 0;
        for (int c = 0; c < t.channels(); c++) {
            for (int a = 0; a < t.kernelH(); a++) {
                for (int b = 0; b < t.kernelW(); b++, row++) {
                    int lo = t.firstColumn(b);
                    int hi = t.endColumn(b, s.width());
                    int shift = b * t.dilationW() - t.padLeft();
                    int to = row * width;
                    for (int r = row0; r < row1; r++, to += ow) {
                        int ih = imageRow(t, r, a);
                        if (ih < 0 || ih >= s.height() || lo == hi) {
                            Arrays.fill(columns, to, to + ow, 0.0);
                            continue;
                        }
                        for (int j = 0; j < lo; j++) {
                            columns[to + j] = 0.0;
                        }
                        int from = s.base() + c * s.channelStride() + ih * s.rowStride() + (lo * t.strideW() + shift) * s.columnStride();
                        int step = t.strideW() * s.columnStride();
                        if (step == 1) {
                            System.arraycopy(x, from, columns, to + lo, hi - lo);
                        } else {
                            for (int j = lo; j < hi; j++, from += step) {
                                columns[to + j] = x[from];
                            }
                        }
                        for (int j = hi; j < ow; j++) {
                            columns[to + j] = 0.0;
                        }
                    }
                }
            }
        }
    }

    /** Adds a column-gradient block of output rows [row0, row1) into the image {@code x} described by {@code s}. */
    static void scatterAdd(float[] columns, Taps t, int row0, int row1, float[] x, Source s) {
        int width = (row1 - row0) * t.outputW();
        int ow = t.outputW();
        boolean runs = rowsFormRuns(s, t);
        int row = 0;
        for (int c = 0; c < t.channels(); c++) {
            for (int a = 0; a < t.kernelH(); a++) {
                for (int b = 0; b < t.kernelW(); b++, row++) {
                    int lo = t.firstColumn(b);
                    int hi = t.endColumn(b, s.width());
                    int shift = b * t.dilationW() - t.padLeft();
                    int from = row * width;
                    if (runs) {
                        scatterAddRun(columns, from, t, row0, row1, c, a, lo, hi, shift, x, s);
                        continue;
                    }
                    for (int r = row0; r < row1; r++, from += ow) {
                        int ih = imageRow(t, r, a);
                        if (ih < 0 || ih >= s.height()) {
                            continue;
                        }
                        int to = s.base() + c * s.channelStride() + ih * s.rowStride() + (lo * t.strideW() + shift) * s.columnStride();
                        int step = t.strideW() * s.columnStride();
                        for (int j = lo; j < hi; j++, to += step) {
                            x[to] += columns[from + j];
                        }
                    }
                }
            }
        }
    }

    static void scatterAdd(double[] columns, Taps t, int row0, int row1, double[] x, Source s) {
        int width = (row1 - row0) * t.outputW();
        int ow = t.outputW();
        int row = 0;
        for (int c = 0; c < t.channels(); c++) {
            for (int a = 0; a < t.kernelH(); a++) {
                for (int b = 0; b < t.kernelW(); b++, row++) {
                    int lo = t.firstColumn(b);
                    int hi = t.endColumn(b, s.width());
                    int shift = b * t.dilationW() - t.padLeft();
                    int from = row * width;
                    for (int r = row0; r < row1; r++, from += ow) {
                        int ih = imageRow(t, r, a);
                        if (ih < 0 || ih >= s.height()) {
                            continue;
                        }
                        int to = s.base() + c * s.channelStride() + ih * s.rowStride() + (lo * t.strideW() + shift) * s.columnStride();
                        int step = t.strideW() * s.columnStride();
                        for (int j = lo; j < hi; j++, to += step) {
                            x[to] += columns[from + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether consecutive output rows of one tap read consecutive stretches of the image: unit
     * column steps and an image row (times the row stride) exactly as long as an output row, as
     * in every "same" convolution with stride 1. A tap's rows of a block then copy from one
     * contiguous run of the image, shifted by a constant; the elements of that run that fall
     * beside the image (the padding, one per row for a 3x3 kernel) are zeroed afterwards. One
     * copy per tap instead of one per output row: with 14-wide rows the per-row calls cost more
     * than the copying.
     */
    static boolean rowsFormRuns(Source s, Taps t) {
        return t.strideW() == 1 && s.columnStride() == 1 && t.strideH() * s.rowStride() == t.outputW();
    }

    /** The image row output row {@code r} of tap row {@code a} reads. */
    private static int imageRow(Taps t, int r, int a) {
        return r * t.strideH() - t.padTop() + a * t.dilationH();
    }

    /** First output row in [row0, row1) whose tap row {@code a} lies inside the image. */
    private static int firstInside(Taps t, int row0, int row1, int a) {
        int r = row0;
        while (r < row1 && imageRow(t, r, a) < 0) {
            r++;
        }
        return r;
    }

    /** One past the last output row in [first, row1) whose tap row {@code a} lies inside the image. */
    private static int endInside(Source s, Taps t, int first, int row1, int a) {
        int r = first;
        while (r < row1 && imageRow(t, r, a) < s.height()) {
            r++;
        }
        return r;
    }

    /** {@link #gather}'s rows of one tap (channel c, tap row a, valid columns [lo, hi)) when {@link #rowsFormRuns}. */
    private static void gatherRun(float[] x, Source s, Taps t, int row0, int row1, int c, int a, int lo, int hi, int shift,
                                  float[] columns, int to) {
        int ow = t.outputW();
        int first = firstInside(t, row0, row1, a);
        int end = endInside(s, t, first, row1, a);
        if (first == end || lo == hi) {
            Arrays.fill(columns, to, to + (row1 - row0) * ow, 0f);
            return;
        }
        int start = to + (first - row0) * ow + lo;
        Arrays.fill(columns, to, start, 0f);
        int stop = to + (end - 1 - row0) * ow + hi;
        int from = s.base() + c * s.channelStride() + imageRow(t, first, a) * s.rowStride() + lo + shift;
        System.arraycopy(x, from, columns, start, stop - start);
        zeroPadding(columns, to + (first - row0) * ow, end - first, ow, lo, hi);
        Arrays.fill(columns, stop, to + (row1 - row0) * ow, 0f);
    }

    /** {@link #scatterAdd}'s rows of one tap when {@link #rowsFormRuns}: padding gradients zeroed, then one run added. */
    private static void scatterAddRun(float[] columns, int from, Taps t, int row0, int row1, int c, int a, int lo, int hi, int shift,
                                      float[] x, Source s) {
        int ow = t.outputW();
        int first = firstInside(t, row0, row1, a);
        int end = endInside(s, t, first, row1, a);
        if (first == end || lo == hi) {
            return;
        }
        // the padding positions' gradients belong to no image element; zeroed, the run adds 0 beside the rows
        zeroPadding(columns, from + (first - row0) * ow, end - first, ow, lo, hi);
        int start = from + (first - row0) * ow + lo;
        int stop = from + (end - 1 - row0) * ow + hi;
        int target = s.base() + c * s.channelStride() + imageRow(t, first, a) * s.rowStride() + lo + shift - start;
        for (int i = start; i < stop; i++) {
            x[target + i] += columns[i];
        }
    }

    /** Zeroes columns [0, lo) and [hi, ow) of {@code rows} rows of {@code ow} values from {@code at}: a tap's padding. */
    private static void zeroPadding(float[] columns, int at, int rows, int ow, int lo, int hi) {
        for (int r = 0; r < rows; r++, at += ow) {
            for (int j = 0; j < lo; j++) {
                columns[at + j] = 0f;
            }
            for (int j = hi; j < ow; j++) {
                columns[at + j] = 0f;
            }
        }
    }
}
