package dev.descent.core.cpu;

import dev.descent.core.ConvolutionKernels.Geometry;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.cpu.ConvolutionColumns.Taps;

/**
 * The forward of a convolution with one input channel per group (the first layer of an MNIST
 * network, a depthwise conv) without im2col: each output row starts at the bias and gets, for
 * every tap (a, b), the weight times the input row it reads, shifted by b; one pass over a row of
 * {@code oW} accumulators per tap. im2col would copy the image kH kW times into a matrix of only
 * kH kW rows, and a GEMM of depth 9 does one multiply-add per element it loads, so it was expected to be bound by
 * that copy; measured, im2col and the GEMM won (see {@link CpuConvolution}), so this runs only on request. Output planes are shared among the threads.
 */
final class DirectConvolution {
    private static final ThreadLocal<float[][]> FLOAT_ROW = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<double[][]> DOUBLE_ROW = ThreadLocal.withInitial(() -> new double[1][0]);

    private DirectConvolution() {
    }

    static void forward(NDArray x, NDArray weight, NDArray bias, Geometry g, NDArray out) {
        int[] wShape = weight.shape();
        int outputs = wShape[0];
        int groupOutputs = outputs / g.groups();
        int oh = out.shape(2);
        int ow = out.shape(3);
        Taps t = new Taps(1, wShape[2], wShape[3], g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), ow);
        int[] xs = x.strides();
        int height = x.shape(2);
        int width = x.shape(3);
        boolean isFloat = out.dtype() == DType.FLOAT32;
        CpuStorage in = (CpuStorage) x.storage();
        CpuStorage w = (CpuStorage) weight.storage();
        CpuStorage target = (CpuStorage) out.storage();
        CpuStorage b = bias == null ? null : (CpuStorage) bias.storage();
        int taps = wShape[2] * wShape[3];
        int planes = x.shape(0) * outputs;
        Parallel.forRange(planes, 1, (start, end) -> {
            float[] floatRow = isFloat ? floatRow(ow) : null;
            double[] doubleRow = isFloat ? null : doubleRow(ow);
            for (int planeIndex = start; planeIndex < end; planeIndex++) {
                int n = planeIndex / outputs;
                int o = planeIndex % outputs;
                int channelBase = x.offset() + n * xs[0] + (o / groupOutputs) * xs[1];
                int weightBase = weight.offset() + o * taps;
                double start0 = b == null ? 0 : b.get(bias.offset() + o * bias.strides()[0]);
                int outBase = out.offset() + planeIndex * oh * ow;
                for (int r = 0; r < oh; r++) {
                    if (isFloat) {
                        java.util.Arrays.fill(floatRow, 0, ow, (float) start0);
                    } else {
                        java.util.Arrays.fill(doubleRow, 0, ow, start0);
                    }
                    for (int a = 0; a < t.kernelH(); a++) {
                        int ih = r * t.strideH() - t.padTop() + a * t.dilationH();
                        if (ih < 0 || ih >= height) {
                            continue;
                        }
                        for (int c = 0; c < t.kernelW(); c++) {
                            int lo = t.firstColumn(c);
                            int hi = t.endColumn(c, width);
                            // input column of output column j: j strideW + shift
                            int from = channelBase + ih * xs[2] + (c * t.dilationW() - t.padLeft()) * xs[3];
                            int step = t.strideW() * xs[3];
                            int tap = weightBase + a * t.kernelW() + c;
                            if (isFloat) {
                                addTap(floatRow, in.floats, from, step, w.floats[tap], lo, hi);
                            } else {
                                addTap(doubleRow, in.doubles, from, step, w.doubles[tap], lo, hi);
                            }
                        }
                    }
                    if (isFloat) {
                        System.arraycopy(floatRow, 0, target.floats, outBase + r * ow, ow);
                    } else {
                        System.arraycopy(doubleRow, 0, target.doubles, outBase + r * ow, ow);
                    }
                }
            }
        });
    }

    /** row[j] += weight x[from + j step] for j in [lo, hi). */
    private static void addTap(float[] row, float[] x, int from, int step, float weight, int lo, int hi) {
        if (step == 1) {
            for (int j = lo; j < hi; j++) {
                row[j] += weight * x[from + j];
            }
        } else {
            for (int j = lo; j < hi; j++) {
                row[j] += weight * x[from + j * step];
            }
        }
    }

    private static void addTap(double[] row, double[] x, int from, int step, double weight, int lo, int hi) {
        if (step == 1) {
            for (int j = lo; j < hi; j++) {
                row[j] += weight * x[from + j];
            }
        } else {
            for (int j = lo; j < hi; j++) {
                row[j] += weight * x[from + j * step];
            }
        }
    }

    private static float[] floatRow(int size) {
        float[][] holder = FLOAT_ROW.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    private static double[] doubleRow(int size) {
        double[][] holder = DOUBLE_ROW.get();
        if (holder[0].length < size) {
            holder[0] = new double[size];
        }
        return holder[0];
    }
}
