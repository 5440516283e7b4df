package dev.descent.cuda;

import dev.descent.core.Backend.MatrixOperand;
import dev.descent.core.ConvolutionKernels;
import dev.descent.core.DType;
import dev.descent.core.NDArray;

/**
 * The convolution of a GPU: im2col over a band of images, then the strided batched GEMM of
 * {@link CudaBackend#gemm} with the images as its batch (kernels in {@code convolution.cu}):
 * <pre>
 *   forward        per band:  cols = im2col(x band);  per group q:  y band,q = W_q cols q           (batch: the band's images)
 *                  then once: y += bias                                                            (conv_add_bias)
 *   weight grad    per band:  cols = im2col(x band);  per group q:  P n,q = dY n,q cols n,q<sup>T</sup>    (per-image products)
 *                             dW = (dW +) &Sigma;_n P n                                                       (conv_sum_images)
 *   input grad     per band:  per group q:  gcols n,q = W_q<sup>T</sup> dY n,q;  dx band = col2im(gcols)
 * </pre>
 * The column matrix of an image is [C kH kW, oH oW], every group's rows together, so one im2col
 * launch serves all groups and group q's block is a fixed offset into it. A band holds as many
 * images as keep its temporary buffer within {@link #COLUMN_BYTES} (64 MiB unless {@code
 * -Ddescent.cuda.conv.columnBytes} says otherwise; at least one image), so device memory stays
 * bounded whatever the batch; the buffer is released when the last kernel is queued. The weight
 * gradient sums per-image products in image order (in double) rather than accumulating through
 * the GEMM's beta, which would need one GEMM per image; col2im gathers, so nothing uses atomics
 * and the results do not depend on timing.
 *
 * <p>The input x is read through its strides; the weight and gradOutput are made contiguous
 * first (copies released afterwards), as the GEMM reads them as matrices. Outputs that are not
 * contiguous, dtypes other than float32 and float64, empty shapes and images whose column matrix
 * would not fit an array run the composed defaults.
 */
final class CudaConvolutionKernels implements ConvolutionKernels {
    static final long COLUMN_BYTES = Long.getLong("descent.cuda.conv.columnBytes", 64L << 20);
    /** The GEMM's batch is a grid dimension of our own kernel, which holds 65535. */
    private static final int MAX_BAND = 65535;

    private final CudaBackend backend;
    private final long columnBytes;

    CudaConvolutionKernels(CudaBackend backend, long columnBytes) {
        this.backend = backend;
        this.columnBytes = columnBytes;
    }

    /**
     * The shapes of one call and its bands: images [n0, n0 + bandImages) at a time, each with a
     * column matrix of {@code rows} x {@code plane} (and, for the weight gradient, a product of
     * {@code weightSize}) in the temporary buffer.
     */
    record Plan(int images, int channels, int height, int width, int outputs, int groups, int kernelH, int kernelW, int outputH,
                int outputW, int bandImages, boolean partials) {

        static Plan of(int[] inputShape, int[] weightShape, Geometry g, int outputH, int outputW, DType dtype, boolean partials,
                       long budget) {
            long perImage = (long) inputShape[1] * weightShape[2] * weightShape[3] * outputH * outputW
                    + (partials ? (long) weightShape[0] * weightShape[1] * weightShape[2] * weightShape[3] : 0);
            long fit = Math.max(1, budget / Math.max(1, perImage * dtype.byteSize()));
            int band = (int) Math.min(Math.min(fit, inputShape[0]), Math.min(MAX_BAND, Integer.MAX_VALUE / Math.max(1, perImage)));
            return new Plan(inputShape[0], inputShape[1], inputShape[2], inputShape[3], weightShape[0], g.groups(), weightShape[2],
                    weightShape[3], outputH, outputW, Math.max(1, band), partials);
        }

        int plane() {
            return outputH * outputW;
        }

        /** Rows of an image's column matrix: C kH kW. */
        int rows() {
            return channels * kernelH * kernelW;
        }

        /** Rows of one group's block, the GEMM's depth: C / groups kH kW. */
        int depth() {
            return rows() / groups;
        }

        int groupOutputs() {
            return outputs / groups;
        }

        int columnsPerImage() {
            return rows() * plane();
        }

        int weightSize() {
            return outputs * depth();
        }

        int bands() {
            return (images + bandImages - 1) / bandImages;
        }

        /** Elements of the temporary buffer: a band's column matrices, then (weight gradient) its per-image products. */
        long scratchSize() {
            return (long) bandImages * (columnsPerImage() + (partials ? weightSize() : 0));
        }

        /** Kernels {@link #forward} launches: im2col and a GEMM per group per band, then the bias. */
        int forwardLaunches(boolean bias) {
            return bands() * (1 + groups) + (bias ? 1 : 0);
        }

        /** Kernels {@link #backwardWeight} launches: im2col, a GEMM per group and the image sum per band. */
        int backwardWeightLaunches() {
            return bands() * (2 + groups);
        }

        /** Kernels {@link #backwardInput} launches: a GEMM per group and col2im per band. */
        int backwardInputLaunches() {
            return bands() * (groups + 1);
        }

        /** The ConvShape struct of convolution.cu. */
        int[] shape(Geometry g) {
            return new int[] {channels, height, width, kernelH, kernelW, outputH, outputW, g.strideH(), g.strideW(), g.padTop(),
                    g.padLeft(), g.dilationH(), g.dilationW()};
        }
    }

    /**
     * Whether these kernels take the call: every array float32 or float64 of one dtype, the output
     * contiguous, no empty dimension, and one image's column matrix within an array's size.
     */
    static boolean handles(NDArray input, int[] weightShape, int outputH, int outputW, NDArray output, NDArray... others) {
        DType dtype = output.dtype();
        if ((dtype != DType.FLOAT32 && dtype != DType.FLOAT64) || !output.isContiguous() || input.dtype() != dtype) {
            return false;
        }
        for (NDArray other : others) {
            if (other != null && other.dtype() != dtype) {
                return false;
            }
        }
        if (input.size() == 0 || output.size() == 0 || weightShape[0] * weightShape[1] * weightShape[2] * weightShape[3] == 0) {
            return false;
        }
        return (long) input.shape(1) * weightShape[2] * weightShape[3] * outputH * outputW <= Integer.MAX_VALUE;
    }

    Plan plan(NDArray input, int[] weightShape, Geometry g, int outputH, int outputW, boolean partials) {
        return Plan.of(input.shape(), weightShape, g, outputH, outputW, input.dtype(), partials, columnBytes);
    }

    @Override
    public void forward(NDArray x, NDArray w, NDArray bias, Geometry g, NDArray out) {
        if (!handles(x, w.shape(), out.shape(2), out.shape(3), out, w, bias)) {
            ConvolutionKernels.super.forward(x, w, bias, g, out);
            return;
        }
        NDArray weight = w.contiguous();
        Plan p = plan(x, weight.shape(), g, out.shape(2), out.shape(3), false);
        CudaStorage columns = backend.scratch(x.dtype(), p.scratchSize());
        int plane = p.plane();
        for (int n0 = 0; n0 < p.images(); n0 += p.bandImages()) {
            int band = Math.min(p.bandImages(), p.images() - n0);
            im2col(x, n0, band, p, g, columns);
            for (int q = 0; q < p.groups(); q++) {
                MatrixOperand a = new MatrixOperand(weight.storage(), weight.offset() + q * p.groupOutputs() * p.depth(), p.depth(), 0, false);
                MatrixOperand b = new MatrixOperand(columns, q * p.depth() * plane, plane, p.columnsPerImage(), false);
                MatrixOperand c = new MatrixOperand(out.storage(), out.offset() + (n0 * p.outputs() + q * p.groupOutputs()) * plane, plane,
                        p.outputs() * plane, false);
                backend.gemm(band, p.groupOutputs(), plane, p.depth(), a, b, c, false);
            }
        }
        if (bias != null) {
            backend.launch("conv_add_bias_" + CudaBackend.suffix(out.dtype()), out.size(), backend.at(out),
                    backend.at(bias), bias.strides()[0], p.outputs(), (long) plane, (long) out.size());
        }
        columns.release();
        releaseCopy(weight, w);
    }

    @Override
    public void backwardWeight(NDArray gradOutput, NDArray x, Geometry g, NDArray gradWeight) {
        if (!handles(x, gradWeight.shape(), gradOutput.shape(2), gradOutput.shape(3), gradWeight, gradOutput)) {
            ConvolutionKernels.super.backwardWeight(gradOutput, x, g, gradWeight);
            return;
        }
        NDArray gy = gradOutput.contiguous();
        Plan p = plan(x, gradWeight.shape(), g, gy.shape(2), gy.shape(3), true);
        CudaStorage scratch = backend.scratch(x.dtype(), p.scratchSize());
        int plane = p.plane();
        int products = p.bandImages() * p.columnsPerImage();
        for (int n0 = 0; n0 < p.images(); n0 += p.bandImages()) {
            int band = Math.min(p.bandImages(), p.images() - n0);
            im2col(x, n0, band, p, g, scratch);
            for (int q = 0; q < p.groups(); q++) {
                MatrixOperand a = new MatrixOperand(gy.storage(), gy.offset() + (n0 * p.outputs() + q * p.groupOutputs()) * plane, plane,
                        p.outputs() * plane, false);
                MatrixOperand b = new MatrixOperand(scratch, q * p.depth() * plane, plane, p.columnsPerImage(), true);
                MatrixOperand c = new MatrixOperand(scratch, products + q * p.groupOutputs() * p.depth(), p.depth(), p.weightSize(), false);
                backend.gemm(band, p.groupOutputs(), p.depth(), plane, a, b, c, false);
            }
            backend.launch("conv_sum_images_" + CudaBackend.suffix(x.dtype()), p.weightSize(), scratch.pointer(products), band,
                    (long) p.weightSize(), n0 == 0 ? 0 : 1, backend.at(gradWeight));
        }
        scratch.release();
        releaseCopy(gy, gradOutput);
    }

    @Override
    public void backwardInput(NDArray gradOutput, NDArray w, Geometry g, NDArray gradInput) {
        if (!handles(gradInput, w.shape(), gradOutput.shape(2), gradOutput.shape(3), gradInput, gradOutput, w)) {
            ConvolutionKernels.super.backwardInput(gradOutput, w, g, gradInput);
            return;
        }
        NDArray gy = gradOutput.contiguous();
        NDArray weight = w.contiguous();
        Plan p = plan(gradInput, weight.shape(), g, gy.shape(2), gy.shape(3), false);
        CudaStorage columns = backend.scratch(gy.dtype(), p.scratchSize());
        int plane = p.plane();
        int image = p.channels() * p.height() * p.width();
        int[] shape = p.shape(g);
        for (int n0 = 0; n0 < p.images(); n0 += p.bandImages()) {
            int band = Math.min(p.bandImages(), p.images() - n0);
            for (int q = 0; q < p.groups(); q++) {
                MatrixOperand a = new MatrixOperand(weight.storage(), weight.offset() + q * p.groupOutputs() * p.depth(), p.depth(), 0, true);
                MatrixOperand b = new MatrixOperand(gy.storage(), gy.offset() + (n0 * p.outputs() + q * p.groupOutputs()) * plane, plane,
                        p.outputs() * plane, false);
                MatrixOperand c = new MatrixOperand(columns, q * p.depth() * plane, plane, p.columnsPerImage(), false);
                backend.gemm(band, p.depth(), plane, p.groupOutputs(), a, b, c, false);
            }
            // every element of the band's images is written: gradInput needs no clearing
            backend.launch("col2im_" + CudaBackend.suffix(gy.dtype()), (long) band * image, columns, shape, band,
                    backend.storage(gradInput).pointer(gradInput.offset() + (long) n0 * image));
        }
        columns.release();
        releaseCopy(gy, gradOutput);
        releaseCopy(weight, w);
    }

    /** The column matrices of images [n0, n0 + band) of x, read through x's strides. */
    private void im2col(NDArray x, int n0, int band, Plan p, Geometry g, CudaStorage columns) {
        int[] s = x.strides();   // the kernel's Strides4
        backend.launch("im2col_" + CudaBackend.suffix(x.dtype()), (long) band * p.columnsPerImage(),
                backend.storage(x).pointer(x.offset() + (long) n0 * s[0]), s, p.shape(g), band, columns);
    }

    /** Releases a contiguous copy made for one call (not the caller's array); the emulated device's kernels use it too. */
    static void releaseCopy(NDArray copy, NDArray original) {
        if (copy != original) {
            copy.storage().release();
        }
    }
}
