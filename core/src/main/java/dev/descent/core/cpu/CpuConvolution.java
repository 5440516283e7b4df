package dev.descent.core.cpu;

import dev.descent.core.Backend.MatrixOperand;
import dev.descent.core.ConvolutionKernels;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.cpu.ConvolutionColumns.Source;
import dev.descent.core.cpu.ConvolutionColumns.Taps;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The CPU's convolution: chunked im2col and the GEMM ({@link CpuGemm}, so float32 runs the
 * Vector API micro-kernels).
 * <pre>
 *   forward        for each image, group, band of output rows:  cols = im2col(x band);  y band = W_g cols
 *   weight grad    for each image, group, band:                  dW_g += dY band cols<sup>T</sup>
 *   input grad     for each image, group, band:                  gcols = W_g<sup>T</sup> dY band;  dx += col2im(gcols)
 * </pre>
 * A band holds as many output rows as keep its column block within {@link #COLUMN_BYTES} (1 MiB,
 * half a core's L2 on the development machine), so the block is written by im2col and read by the
 * GEMM from cache; a whole image's block for a 3x3 conv of 64 channels on 56x56 would be 7 MB.
 * Images are shared among the threads (each with its own column block, the GEMM then running on
 * the thread that called it); with fewer images than threads they run one after another and the
 * GEMM takes the threads instead. The weight gradient is summed per thread's range of images and
 * the partial sums added in the order of their ranges, so the bits do not depend on timing.
 *
 * <p>With one input channel per group (the first layer of an image network, a depthwise conv) a
 * direct kernel ({@link DirectConvolution}) exists, but it is off unless {@code
 * -Ddescent.conv.direct=true}: measured on the development machine (2 threads, Vector API, MNIST's
 * conv 1-&gt;32 3x3 on 28x28, batch 128), im2col and the GEMM took 1.37 ms per forward, as fast as
 * the bare GEMM of the same product (1.31 ms), and the direct kernel 10.8 ms. {@code
 * -Ddescent.conv.columnBytes} sets the band budget, for measuring it.
 */
final class CpuConvolution implements ConvolutionKernels {
    static final CpuConvolution INSTANCE = new CpuConvolution();
    static final int COLUMN_BYTES = Integer.getInteger("descent.conv.columnBytes", 1 << 20);
    static final boolean DIRECT = Boolean.getBoolean("descent.conv.direct");

    private static final ThreadLocal<float[][]> FLOAT_SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<double[][]> DOUBLE_SCRATCH = ThreadLocal.withInitial(() -> new double[1][0]);

    private CpuConvolution() {
    }

    /** The shapes of one call, and the band of output rows a column block holds. */
    private static final class Plan {
        final int images;
        final int groups;
        final int groupChannels;
        final int groupOutputs;
        final int outputs;
        final int outputH;
        final int outputW;
        final int plane;
        final int depth;
        final int bandRows;
        final Taps taps;
        final boolean isFloat;

        Plan(NDArray x, int[] weightShape, Geometry g, int outputH, int outputW, DType dtype) {
            images = x.shape(0);
            groups = g.groups();
            groupChannels = weightShape[1];
            outputs = weightShape[0];
            groupOutputs = outputs / groups;
            this.outputH = outputH;
            this.outputW = outputW;
            plane = outputH * outputW;
            depth = groupChannels * weightShape[2] * weightShape[3];
            isFloat = dtype == DType.FLOAT32;
            long rowBytes = (long) depth * outputW * (isFloat ? 4 : 8);
            bandRows = (int) Math.max(1, Math.min(outputH, COLUMN_BYTES / rowBytes));
            taps = new Taps(groupChannels, weightShape[2], weightShape[3], g.strideH(), g.strideW(), g.padTop(), g.padLeft(),
                    g.dilationH(), g.dilationW(), outputW);
        }

        /** Image n's channels of group q in x. */
        Source source(NDArray x, int n, int q) {
            int[] s = x.strides();
            return new Source(x.offset() + n * s[0] + q * groupChannels * s[1], s[1], s[2], s[3], x.shape(2), x.shape(3));
        }

        int columnSize() {
            return depth * bandRows * outputW;
        }
    }

    private static boolean handles(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null && a.dtype() != DType.FLOAT32 && a.dtype() != DType.FLOAT64) {
                return false;
            }
        }
        return true;
    }

    /** Runs {@code body} over the images: shared among the threads when there are enough, else in turn. */
    private static void overImages(int images, Parallel.RangeBody body) {
        if (images >= Parallel.threads()) {
            Parallel.forRange(images, 1, body);
        } else {
            body.run(0, images);
        }
    }

    @Override
    public void forward(NDArray x, NDArray w, NDArray bias, Geometry g, NDArray out) {
        if (!out.isContiguous() || !handles(x, w, bias, out)) {
            ConvolutionKernels.super.forward(x, w, bias, g, out);
            return;
        }
        NDArray weight = w.contiguous();
        Plan p = new Plan(x, weight.shape(), g, out.shape(2), out.shape(3), out.dtype());
        if (DIRECT && p.groupChannels == 1) {
            DirectConvolution.forward(x, weight, bias, g, out);
            return;
        }
        CpuStorage ws = (CpuStorage) weight.storage();
        CpuStorage os = (CpuStorage) out.storage();
        CpuStorage xs = (CpuStorage) x.storage();
        overImages(p.images, (start, end) -> {
            CpuStorage columns = scratch(p);
            for (int n = start; n < end; n++) {
                for (int q = 0; q < p.groups; q++) {
                    Source source = p.source(x, n, q);
                    for (int r0 = 0; r0 < p.outputH; r0 += p.bandRows) {
                        int r1 = Math.min(p.outputH, r0 + p.bandRows);
                        int width = (r1 - r0) * p.outputW;
                        gather(xs, source, p, r0, r1, columns);
                        MatrixOperand a = new MatrixOperand(ws, weight.offset() + q * p.groupOutputs * p.depth, p.depth, 0, false);
                        MatrixOperand b = new MatrixOperand(columns, 0, width, 0, false);
                        MatrixOperand c = new MatrixOperand(os, out.offset() + (n * p.outputs + q * p.groupOutputs) * p.plane
                                + r0 * p.outputW, p.plane, 0, false);
                        CpuGemm.gemm(1, p.groupOutputs, width, p.depth, a, b, c, false);
                    }
                }
                if (bias != null) {
                    addBias(bias, os, out.offset() + n * p.outputs * p.plane, p.outputs, p.plane);
                }
            }
        });
    }

    /** out[o, :] += bias[o] over one image's {@code outputs} planes of {@code plane} elements. */
    static void addBias(NDArray bias, CpuStorage out, int base, int outputs, int plane) {
        CpuStorage bs = (CpuStorage) bias.storage();
        int stride = bias.strides()[0];
        for (int o = 0; o < outputs; o++) {
            int at = base + o * plane;
            if (out.dtype() == DType.FLOAT32) {
                float v = bs.floats[bias.offset() + o * stride];
                for (int i = 0; i < plane; i++) {
                    out.floats[at + i] += v;
                }
            } else {
                double v = bs.doubles[bias.offset() + o * stride];
                for (int i = 0; i < plane; i++) {
                    out.doubles[at + i] += v;
                }
            }
        }
    }

    @Override
    public void backwardWeight(NDArray gradOutput, NDArray x, Geometry g, NDArray gradWeight) {
        if (!gradWeight.isContiguous() || !handles(gradOutput, x, gradWeight)) {
            ConvolutionKernels.super.backwardWeight(gradOutput, x, g, gradWeight);
            return;
        }
        NDArray gy = gradOutput.contiguous();
        Plan p = new Plan(x, gradWeight.shape(), g, gy.shape(2), gy.shape(3), gy.dtype());
        CpuStorage gs = (CpuStorage) gy.storage();
        CpuStorage xs = (CpuStorage) x.storage();
        // partial sums keyed by the first image of their range, added in that order
        Map<Integer, CpuStorage> partials = new ConcurrentSkipListMap<>();
        overImages(p.images, (start, end) -> {
            CpuStorage columns = scratch(p);
            CpuStorage partial = CpuStorage.allocate(gy.dtype(), gradWeight.size());
            for (int n = start; n < end; n++) {
                for (int q = 0; q < p.groups; q++) {
                    Source source = p.source(x, n, q);
                    for (int r0 = 0; r0 < p.outputH; r0 += p.bandRows) {
                        int r1 = Math.min(p.outputH, r0 + p.bandRows);
                        int width = (r1 - r0) * p.outputW;
                        gather(xs, source, p, r0, r1, columns);
                        MatrixOperand a = new MatrixOperand(gs, gy.offset() + (n * p.outputs + q * p.groupOutputs) * p.plane
                                + r0 * p.outputW, p.plane, 0, false);
                        MatrixOperand b = new MatrixOperand(columns, 0, width, 0, true);
                        MatrixOperand c = new MatrixOperand(partial, q * p.groupOutputs * p.depth, p.depth, 0, false);
                        CpuGemm.gemm(1, p.groupOutputs, p.depth, width, a, b, c, true);
                    }
                }
            }
            partials.put(start, partial);
        });
        CpuStorage target = (CpuStorage) gradWeight.storage();
        int base = gradWeight.offset();
        boolean first = true;
        for (CpuStorage partial : partials.values()) {
            for (int i = 0; i < gradWeight.size(); i++) {
                if (p.isFloat) {
                    target.floats[base + i] = (first ? 0f : target.floats[base + i]) + partial.floats[i];
                } else {
                    target.doubles[base + i] = (first ? 0.0 : target.doubles[base + i]) + partial.doubles[i];
                }
            }
            first = false;
        }
        if (first) {
            gradWeight.fill(0);
        }
    }

    @Override
    public void backwardInput(NDArray gradOutput, NDArray w, Geometry g, NDArray gradInput) {
        if (!gradInput.isContiguous() || !handles(gradOutput, w, gradInput)) {
            ConvolutionKernels.super.backwardInput(gradOutput, w, g, gradInput);
            return;
        }
        NDArray gy = gradOutput.contiguous();
        NDArray weight = w.contiguous();
        Plan p = new Plan(gradInput, weight.shape(), g, gy.shape(2), gy.shape(3), gy.dtype());
        CpuStorage gs = (CpuStorage) gy.storage();
        CpuStorage ws = (CpuStorage) weight.storage();
        CpuStorage target = (CpuStorage) gradInput.storage();
        gradInput.fill(0);
        // images never share input elements, so each range scatters into its own images only
        overImages(p.images, (start, end) -> {
            CpuStorage columns = scratch(p);
            for (int n = start; n < end; n++) {
                for (int q = 0; q < p.groups; q++) {
                    Source source = p.source(gradInput, n, q);
                    for (int r0 = 0; r0 < p.outputH; r0 += p.bandRows) {
                        int r1 = Math.min(p.outputH, r0 + p.bandRows);
                        int width = (r1 - r0) * p.outputW;
                        MatrixOperand a = new MatrixOperand(ws, weight.offset() + q * p.groupOutputs * p.depth, p.depth, 0, true);
                        MatrixOperand b = new MatrixOperand(gs, gy.offset() + (n * p.outputs + q * p.groupOutputs) * p.plane
                                + r0 * p.outputW, p.plane, 0, false);
                        MatrixOperand c = new MatrixOperand(columns, 0, width, 0, false);
                        CpuGemm.gemm(1, p.depth, width, p.groupOutputs, a, b, c, false);
                        if (p.isFloat) {
                            ConvolutionColumns.scatterAdd(columns.floats, p.taps, r0, r1, target.floats, source);
                        } else {
                            ConvolutionColumns.scatterAdd(columns.doubles, p.taps, r0, r1, target.doubles, source);
                        }
                    }
                }
            }
        });
    }

    private static void gather(CpuStorage x, Source source, Plan p, int r0, int r1, CpuStorage columns) {
        if (p.isFloat) {
            ConvolutionColumns.gather(x.floats, source, p.taps, r0, r1, columns.floats);
        } else {
            ConvolutionColumns.gather(x.doubles, source, p.taps, r0, r1, columns.doubles);
        }
    }

    /** This thread's column block, grown to the plan's size; reused across calls (it is rewritten before each read). */
    private static CpuStorage scratch(Plan p) {
        int size = p.columnSize();
        if (p.isFloat) {
            float[][] holder = FLOAT_SCRATCH.get();
            if (holder[0].length < size) {
                holder[0] = new float[size];
            }
            return CpuStorage.wrap(holder[0]);
        }
        double[][] holder = DOUBLE_SCRATCH.get();
        if (holder[0].length < size) {
            holder[0] = new double[size];
        }
        return CpuStorage.wrap(holder[0]);
    }
}
