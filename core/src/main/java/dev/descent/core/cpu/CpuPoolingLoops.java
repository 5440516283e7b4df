package dev.descent.core.cpu;

import dev.descent.core.PoolingKernels;
import dev.descent.core.PoolingKernels.Window;
import dev.descent.core.cpu.CpuPoolingKernels.Layout;

/**
 * The loops of {@link CpuPoolingKernels} over one N x C plane, once for float32 and once for
 * float64 (the same code on the other array type: Java has no generics over primitives). Inputs
 * are read through {@link Layout}'s strides; outputs are the plane's contiguous block. Window
 * bounds follow PyTorch's CPU kernels exactly (the argmax when a window holds only -inf, the
 * divisor of a window cut by padding), so results match to rounding.
 */
final class CpuPoolingLoops {
    private CpuPoolingLoops() {
    }

    /** The sizes of an input plane (height x width) and of its pooled plane (oh x ow), and the window. */
    record Plane(int height, int width, int oh, int ow, Window w) {
        /** Each output's divisor ({@link PoolingKernels#divisor}), never below 1. */
        double[] divisors(boolean countIncludePad) {
            double[] d = new double[oh * ow];
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    d[i * ow + j] = Math.max(1, PoolingKernels.divisor(w, height, width, i, j, countIncludePad));
                }
            }
            return d;
        }

        /** The first row of window i inside the input (stepping by the dilation past the padding). */
        int firstRow(int i) {
            int h = w.rowStart(i);
            while (h < 0) {
                h += w.dilationH();
            }
            return h;
        }

        /** One past the last row of window i inside the input. */
        int endRow(int i) {
            return Math.min(w.rowStart(i) + (w.kernelH() - 1) * w.dilationH() + 1, height);
        }

        int firstColumn(int j) {
            int c = w.columnStart(j);
            while (c < 0) {
                c += w.dilationW();
            }
            return c;
        }

        int endColumn(int j) {
            return Math.min(w.columnStart(j) + (w.kernelW() - 1) * w.dilationW() + 1, width);
        }
    }

    // ---------------------------------------------------------------- max pooling

    static void maxPool(float[] x, int base, Layout in, Plane g, float[] out, int to, int[] indices, int toIndex) {
        Window w = g.w();
        if (isPlainTwoByTwo(g) && in.strideW() == 1) {
            if (VectorSupport.enabled && VectorPooling.WIDE && (long) g.height() * g.width() < VectorPooling.LARGEST_PLANE) {
                VectorPooling.maxPoolTwoByTwo(x, base, in.strideH(), g.width(), g.oh(), g.ow(), out, to, indices, toIndex,
                        (i, j0, count) -> maxPoolTwoByTwo(x, base, in.strideH(), g, out, to, indices, toIndex, i, j0, j0 + count));
                return;
            }
            for (int i = 0; i < g.oh(); i++) {
                maxPoolTwoByTwo(x, base, in.strideH(), g, out, to, indices, toIndex, i, 0, g.ow());
            }
            return;
        }
        for (int i = 0; i < g.oh(); i++) {
            int h0 = g.firstRow(i);
            int h1 = g.endRow(i);
            for (int j = 0; j < g.ow(); j++) {
                int w0 = g.firstColumn(j);
                int w1 = g.endColumn(j);
                float best = Float.NEGATIVE_INFINITY;
                int argmax = h0 * g.width() + w0;
                for (int h = h0; h < h1; h += w.dilationH()) {
                    int row = base + h * in.strideH();
                    for (int c = w0; c < w1; c += w.dilationW()) {
                        float v = x[row + c * in.strideW()];
                        // an integer select and Math.max rather than a branch: on random data the comparison
                        // is a coin toss (about 3x faster measured); Math.max picks the same value except
                        // that +0 beats -0, which '>' (and so the argmax) treats as equal
                        argmax = v > best | v != v ? h * g.width() + c : argmax;
                        best = Math.max(best, v);
                    }
                }
                out[to + i * g.ow() + j] = best;
                indices[toIndex + i * g.ow() + j] = argmax;
            }
        }
    }

    /** A 2 x 2 window with stride 2, no padding or dilation, every window inside the input: CNNs' usual pooling. */
    private static boolean isPlainTwoByTwo(Plane g) {
        Window w = g.w();
        return w.kernelH() == 2 && w.kernelW() == 2 && w.strideH() == 2 && w.strideW() == 2 && w.padH() == 0 && w.padW() == 0
                && w.dilationH() == 1 && w.dilationW() == 1 && 2 * g.oh() <= g.height() && 2 * g.ow() <= g.width();
    }

    /**
     * {@link #maxPool(float[], int, Layout, Plane, float[], int, int[], int)} for {@link
     * #isPlainTwoByTwo} windows j0 .. j1 of output row i, over rows of unit stride: the same four
     * comparisons in the same order, unrolled, without the general loop's window bounds per output
     * (measured at a fifth of a small CNN's step before). {@link VectorPooling} does the same with
     * vectors where it can.
     */
    static void maxPoolTwoByTwo(float[] x, int base, int rowStride, Plane g, float[] out, int to, int[] indices, int toIndex, int i,
                                int j0, int j1) {
        int width = g.width();
        int top = base + 2 * i * rowStride;
        int bottom = top + rowStride;
        int topIndex = 2 * i * width;
        int bottomIndex = topIndex + width;
        int o = to + i * g.ow();
        int oi = toIndex + i * g.ow();
        for (int j = j0; j < j1; j++) {
            int c = 2 * j;
            float best = Float.NEGATIVE_INFINITY;
            int argmax = topIndex + c;
            float v = x[top + c];
            argmax = v > best | v != v ? topIndex + c : argmax;
            best = Math.max(best, v);
            v = x[top + c + 1];
            argmax = v > best | v != v ? topIndex + c + 1 : argmax;
            best = Math.max(best, v);
            v = x[bottom + c];
            argmax = v > best | v != v ? bottomIndex + c : argmax;
            best = Math.max(best, v);
            v = x[bottom + c + 1];
            argmax = v > best | v != v ? bottomIndex + c + 1 : argmax;
            best = Math.max(best, v);
            out[o + j] = best;
            indices[oi + j] = argmax;
        }
    }

    static void maxPool(double[] x, int base, Layout in, Plane g, double[] out, int to, int[] indices, int toIndex) {
        Window w = g.w();
        for (int i = 0; i < g.oh(); i++) {
            int h0 = g.firstRow(i);
            int h1 = g.endRow(i);
            for (int j = 0; j < g.ow(); j++) {
                int w0 = g.firstColumn(j);
                int w1 = g.endColumn(j);
                double best = Double.NEGATIVE_INFINITY;
                int argmax = h0 * g.width() + w0;
                for (int h = h0; h < h1; h += w.dilationH()) {
                    int row = base + h * in.strideH();
                    for (int c = w0; c < w1; c += w.dilationW()) {
                        double v = x[row + c * in.strideW()];
                        // an integer select and Math.max rather than a branch: on random data the comparison
                        // is a coin toss (about 3x faster measured); Math.max picks the same value except
                        // that +0 beats -0, which '>' (and so the argmax) treats as equal
                        argmax = v > best | v != v ? h * g.width() + c : argmax;
                        best = Math.max(best, v);
                    }
                }
                out[to + i * g.ow() + j] = best;
                indices[toIndex + i * g.ow() + j] = argmax;
            }
        }
    }

    static void maxPoolBackward(float[] grad, int base, Layout g, int oh, int ow, int[] indices, int from, float[] gradInput, int to,
                                int planeIn) {
        java.util.Arrays.fill(gradInput, to, to + planeIn, 0f);
        for (int i = 0; i < oh; i++) {
            int row = base + i * g.strideH();
            for (int j = 0; j < ow; j++) {
                gradInput[to + indices[from + i * ow + j]] += grad[row + j * g.strideW()];
            }
        }
    }

    static void maxPoolBackward(double[] grad, int base, Layout g, int oh, int ow, int[] indices, int from, double[] gradInput,
                                int to, int planeIn) {
        java.util.Arrays.fill(gradInput, to, to + planeIn, 0d);
        for (int i = 0; i < oh; i++) {
            int row = base + i * g.strideH();
            for (int j = 0; j < ow; j++) {
                gradInput[to + indices[from + i * ow + j]] += grad[row + j * g.strideW()];
            }
        }
    }

    // ---------------------------------------------------------------- average pooling (dilation 1)

    static void avgPool(float[] x, int base, Layout in, Plane g, double[] divisors, float[] out, int to) {
        Window w = g.w();
        for (int i = 0; i < g.oh(); i++) {
            int h0 = Math.max(w.rowStart(i), 0);
            int h1 = Math.min(w.rowStart(i) + w.kernelH(), g.height());
            for (int j = 0; j < g.ow(); j++) {
                int w0 = Math.max(w.columnStart(j), 0);
                int w1 = Math.min(w.columnStart(j) + w.kernelW(), g.width());
                double sum = 0;
                for (int h = h0; h < h1; h++) {
                    int row = base + h * in.strideH();
                    for (int c = w0; c < w1; c++) {
                        sum += x[row + c * in.strideW()];
                    }
                }
                out[to + i * g.ow() + j] = (float) (sum / divisors[i * g.ow() + j]);
            }
        }
    }

    static void avgPool(double[] x, int base, Layout in, Plane g, double[] divisors, double[] out, int to) {
        Window w = g.w();
        for (int i = 0; i < g.oh(); i++) {
            int h0 = Math.max(w.rowStart(i), 0);
            int h1 = Math.min(w.rowStart(i) + w.kernelH(), g.height());
            for (int j = 0; j < g.ow(); j++) {
                int w0 = Math.max(w.columnStart(j), 0);
                int w1 = Math.min(w.columnStart(j) + w.kernelW(), g.width());
                double sum = 0;
                for (int h = h0; h < h1; h++) {
                    int row = base + h * in.strideH();
                    for (int c = w0; c < w1; c++) {
                        sum += x[row + c * in.strideW()];
                    }
                }
                out[to + i * g.ow() + j] = sum / divisors[i * g.ow() + j];
            }
        }
    }

    static void avgPoolBackward(float[] grad, int base, Layout gl, Plane g, double[] divisors, float[] gradInput, int to) {
        Window w = g.w();
        java.util.Arrays.fill(gradInput, to, to + g.height() * g.width(), 0f);
        for (int i = 0; i < g.oh(); i++) {
            int h0 = Math.max(w.rowStart(i), 0);
            int h1 = Math.min(w.rowStart(i) + w.kernelH(), g.height());
            for (int j = 0; j < g.ow(); j++) {
                int w0 = Math.max(w.columnStart(j), 0);
                int w1 = Math.min(w.columnStart(j) + w.kernelW(), g.width());
                float share = (float) (grad[base + i * gl.strideH() + j * gl.strideW()] / divisors[i * g.ow() + j]);
                for (int h = h0; h < h1; h++) {
                    int row = to + h * g.width();
                    for (int c = w0; c < w1; c++) {
                        gradInput[row + c] += share;
                    }
                }
            }
        }
    }

    static void avgPoolBackward(double[] grad, int base, Layout gl, Plane g, double[] divisors, double[] gradInput, int to) {
        Window w = g.w();
        java.util.Arrays.fill(gradInput, to, to + g.height() * g.width(), 0d);
        for (int i = 0; i < g.oh(); i++) {
            int h0 = Math.max(w.rowStart(i), 0);
            int h1 = Math.min(w.rowStart(i) + w.kernelH(), g.height());
            for (int j = 0; j < g.ow(); j++) {
                int w0 = Math.max(w.columnStart(j), 0);
                int w1 = Math.min(w.columnStart(j) + w.kernelW(), g.width());
                double share = grad[base + i * gl.strideH() + j * gl.strideW()] / divisors[i * g.ow() + j];
                for (int h = h0; h < h1; h++) {
                    int row = to + h * g.width();
                    for (int c = w0; c < w1; c++) {
                        gradInput[row + c] += share;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- adaptive average pooling

    static void adaptiveAvgPool(float[] x, int base, Layout in, int height, int width, float[] out, int to, int oh, int ow) {
        for (int i = 0; i < oh; i++) {
            int h0 = PoolingKernels.adaptiveStart(i, height, oh);
            int h1 = PoolingKernels.adaptiveEnd(i, height, oh);
            for (int j = 0; j < ow; j++) {
                int w0 = PoolingKernels.adaptiveStart(j, width, ow);
                int w1 = PoolingKernels.adaptiveEnd(j, width, ow);
                double sum = 0;
                for (int h = h0; h < h1; h++) {
                    int row = base + h * in.strideH();
                    for (int c = w0; c < w1; c++) {
                        sum += x[row + c * in.strideW()];
                    }
                }
                out[to + i * ow + j] = (float) (sum / ((h1 - h0) * (w1 - w0)));
            }
        }
    }

    static void adaptiveAvgPool(double[] x, int base, Layout in, int height, int width, double[] out, int to, int oh, int ow) {
        for (int i = 0; i < oh; i++) {
            int h0 = PoolingKernels.adaptiveStart(i, height, oh);
            int h1 = PoolingKernels.adaptiveEnd(i, height, oh);
            for (int j = 0; j < ow; j++) {
                int w0 = PoolingKernels.adaptiveStart(j, width, ow);
                int w1 = PoolingKernels.adaptiveEnd(j, width, ow);
                double sum = 0;
                for (int h = h0; h < h1; h++) {
                    int row = base + h * in.strideH();
                    for (int c = w0; c < w1; c++) {
                        sum += x[row + c * in.strideW()];
                    }
                }
                out[to + i * ow + j] = sum / ((h1 - h0) * (w1 - w0));
            }
        }
    }

    static void adaptiveAvgPoolBackward(float[] grad, int base, Layout g, int oh, int ow, float[] gradInput, int to, int height,
                                        int width) {
        java.util.Arrays.fill(gradInput, to, to + height * width, 0f);
        for (int i = 0; i < oh; i++) {
            int h0 = PoolingKernels.adaptiveStart(i, height, oh);
            int h1 = PoolingKernels.adaptiveEnd(i, height, oh);
            for (int j = 0; j < ow; j++) {
                int w0 = PoolingKernels.adaptiveStart(j, width, ow);
                int w1 = PoolingKernels.adaptiveEnd(j, width, ow);
                float share = (float) ((double) grad[base + i * g.strideH() + j * g.strideW()] / ((h1 - h0) * (w1 - w0)));
                for (int h = h0; h < h1; h++) {
                    for (int c = w0; c < w1; c++) {
                        gradInput[to + h * width + c] += share;
                    }
                }
            }
        }
    }

    static void adaptiveAvgPoolBackward(double[] grad, int base, Layout g, int oh, int ow, double[] gradInput, int to, int height,
                                        int width) {
        java.util.Arrays.fill(gradInput, to, to + height * width, 0d);
        for (int i = 0; i < oh; i++) {
            int h0 = PoolingKernels.adaptiveStart(i, height, oh);
            int h1 = PoolingKernels.adaptiveEnd(i, height, oh);
            for (int j = 0; j < ow; j++) {
                int w0 = PoolingKernels.adaptiveStart(j, width, ow);
                int w1 = PoolingKernels.adaptiveEnd(j, width, ow);
                double share = grad[base + i * g.strideH() + j * g.strideW()] / ((h1 - h0) * (w1 - w0));
                for (int h = h0; h < h1; h++) {
                    for (int c = w0; c < w1; c++) {
                        gradInput[to + h * width + c] += share;
                    }
                }
            }
        }
    }
}
