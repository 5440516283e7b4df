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
 * the image's column stride are 1, the common case.
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
        int row = 0;
        for (int c = 0; c < t.channels(); c++) {
            for (int a = 0; a < t.kernelH(); a++) {
                for (int b = 0; b < t.kernelW(); b++, row++) {
                    int lo = t.firstColumn(b);
                    int hi = t.endColumn(b, s.width());
                    int shift = b * t.dilationW() - t.padLeft();
                    int to = row * width;
                    for (int r = row0; r < row1; r++, to += ow) {
                        int ih = r * t.strideH() - t.padTop() + a * t.dilationH();
                        if (ih < 0 || ih >= s.height() || lo == hi) {
                            Arrays.fill(columns, to, to + ow, 0f);
                            continue;
                        }
                        Arrays.fill(columns, to, to + lo, 0f);
                        int from = s.base() + c * s.channelStride() + ih * s.rowStride() + (lo * t.strideW() + shift) * s.columnStride();
                        int step = t.strideW() * s.columnStride();
                        if (step == 1) {
                            System.arraycopy(x, from, columns, to + lo, hi - lo);
                        } else {
                            for (int j = lo; j < hi; j++, from += step) {
                                columns[to + j] = x[from];
                            }
                        }
                        Arrays.fill(columns, to + hi, to + ow, 0f);
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
                        int ih = r * t.strideH() - t.padTop() + a * t.dilationH();
                        if (ih < 0 || ih >= s.height() || lo == hi) {
                            Arrays.fill(columns, to, to + ow, 0.0);
                            continue;
                        }
                        Arrays.fill(columns, to, to + lo, 0.0);
                        int from = s.base() + c * s.channelStride() + ih * s.rowStride() + (lo * t.strideW() + shift) * s.columnStride();
                        int step = t.strideW() * s.columnStride();
                        if (step == 1) {
                            System.arraycopy(x, from, columns, to + lo, hi - lo);
                        } else {
                            for (int j = lo; j < hi; j++, from += step) {
                                columns[to + j] = x[from];
                            }
                        }
                        Arrays.fill(columns, to + hi, to + ow, 0.0);
                    }
                }
            }
        }
    }

    /** Adds a column-gradient block of output rows [row0, row1) into the image {@code x} described by {@code s}. */
    static void scatterAdd(float[] columns, Taps t, int row0, int row1, float[] x, Source s) {
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
                        int ih = r * t.strideH() - t.padTop() + a * t.dilationH();
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
                        int ih = r * t.strideH() - t.padTop() + a * t.dilationH();
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
}
