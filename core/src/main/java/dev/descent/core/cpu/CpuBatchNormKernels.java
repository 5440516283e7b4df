package dev.descent.core.cpu;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.NDArray;

/**
 * Batch normalization of a contiguous float32 [N, C] matrix on the CPU, forward and backward, as
 * {@link FusedKernels#batchNormForward} and {@link FusedKernels#batchNormBackward} define them. The
 * composed defaults make about eight passes over N x C values and as many temporaries each way;
 * here the forward is three passes (column sums, centred squares, the affine map) and the backward
 * two (the two column sums, then the input gradient as one multiply-add per element), all along
 * contiguous rows, with Vector API row kernels ({@link VectorKernels}) where the module is present
 * (HotSpot does not vectorize these loops itself: it cannot rule out that the arrays overlap).
 * Threads split the columns.
 *
 * <p>Column sums run in float32 over blocks of {@link #BLOCK} rows (vectorized loops) and add each
 * block's sums into float64 totals, so batches of any size keep float32's precision; the
 * elementwise passes run in float32 with per-column coefficients folded in advance:
 * {@code out = x scale + shift} forward, {@code gradInput = grad k1 + (x - mean) k2 + k0} backward.
 */
final class CpuBatchNormKernels {
    /** Rows summed in float32 before the partial sums move into float64. */
    static final int BLOCK = 32;

    private CpuBatchNormKernels() {
    }

    /** Whether x is a contiguous float32 matrix and every other (non-null) array contiguous float32. */
    static boolean fusable(NDArray x, NDArray... others) {
        if (x.dtype() != DType.FLOAT32 || x.rank() != 2 || !x.isContiguous()) {
            return false;
        }
        for (NDArray other : others) {
            if (other != null && (other.dtype() != DType.FLOAT32 || !other.isContiguous())) {
                return false;
            }
        }
        return true;
    }

    private static float[] floats(NDArray x) {
        return ((CpuStorage) x.storage()).floats;
    }

    /** Columns per thread at least, so that each gets {@link StridedLoop#PARALLEL_THRESHOLD} elements. */
    private static int grain(int rows) {
        return Math.max(16, StridedLoop.PARALLEL_THRESHOLD / Math.max(1, rows));
    }

    static void forward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, BatchNormStatistics statistics) {
        NDArray mean = statistics.mean();
        NDArray invStd = statistics.invStd();
        int rows = x.shape()[0];
        int columns = x.shape()[1];
        float[] xv = floats(x);
        float[] ov = floats(out);
        int xo = x.offset();
        int oo = out.offset();
        Parallel.forRange(columns, grain(rows), (c0, c1) -> {
            int width = c1 - c0;
            double[] sum = new double[width];
            float[] partial = new float[width];
            for (int r0 = 0; r0 < rows; r0 += BLOCK) {
                java.util.Arrays.fill(partial, 0f);
                for (int r = r0; r < Math.min(rows, r0 + BLOCK); r++) {
                    int at = xo + r * columns + c0;
                    int j = VectorSupport.enabled ? VectorKernels.accumulate(partial, xv, at, width) : 0;
                    for (; j < width; j++) {
                        partial[j] += xv[at + j];
                    }
                }
                for (int j = 0; j < width; j++) {
                    sum[j] += partial[j];
                }
            }
            float[] mu = new float[width];
            for (int j = 0; j < width; j++) {
                mu[j] = (float) (sum[j] / rows);
            }
            double[] squares = new double[width];
            for (int r0 = 0; r0 < rows; r0 += BLOCK) {
                java.util.Arrays.fill(partial, 0f);
                for (int r = r0; r < Math.min(rows, r0 + BLOCK); r++) {
                    int at = xo + r * columns + c0;
                    int j = VectorSupport.enabled ? VectorKernels.accumulateCenteredSquares(partial, xv, at, mu, width) : 0;
                    for (; j < width; j++) {
                        float d = xv[at + j] - mu[j];
                        partial[j] += d * d;
                    }
                }
                for (int j = 0; j < width; j++) {
                    squares[j] += partial[j];
                }
            }
            float[] scale = new float[width];
            float[] shift = new float[width];
            float[] meanOut = floats(mean);
            float[] invStdOut = floats(invStd);
            for (int j = 0; j < width; j++) {
                float inverse = (float) (1 / Math.sqrt(squares[j] / rows + eps));
                meanOut[mean.offset() + c0 + j] = mu[j];
                invStdOut[invStd.offset() + c0 + j] = inverse;
                scale[j] = weight == null ? inverse : inverse * floats(weight)[weight.offset() + c0 + j];
                shift[j] = (bias == null ? 0f : floats(bias)[bias.offset() + c0 + j]) - mu[j] * scale[j];
            }
            for (int r = 0; r < rows; r++) {
                int from = xo + r * columns + c0;
                int to = oo + r * columns + c0;
                int j = VectorSupport.enabled ? VectorKernels.affine(xv, from, scale, shift, ov, to, width) : 0;
                for (; j < width; j++) {
                    ov[to + j] = xv[from + j] * scale[j] + shift[j];
                }
            }
        });
    }

    static void backward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics, BatchNormGradients gradients) {
        NDArray mean = statistics.mean();
        NDArray invStd = statistics.invStd();
        NDArray gradInput = gradients.input();
        NDArray gradWeight = gradients.weight();
        NDArray gradBias = gradients.bias();
        int rows = x.shape()[0];
        int columns = x.shape()[1];
        float[] xv = floats(x);
        float[] gv = floats(grad);
        int xo = x.offset();
        int go = grad.offset();
        Parallel.forRange(columns, grain(rows), (c0, c1) -> {
            int width = c1 - c0;
            float[] mu = new float[width];
            System.arraycopy(floats(mean), mean.offset() + c0, mu, 0, width);
            double[] sumGrad = new double[width];
            double[] sumGradCentered = new double[width];
            float[] partialGrad = new float[width];
            float[] partialGradCentered = new float[width];
            for (int r0 = 0; r0 < rows; r0 += BLOCK) {
                java.util.Arrays.fill(partialGrad, 0f);
                java.util.Arrays.fill(partialGradCentered, 0f);
                for (int r = r0; r < Math.min(rows, r0 + BLOCK); r++) {
                    int xAt = xo + r * columns + c0;
                    int gAt = go + r * columns + c0;
                    int j = VectorSupport.enabled
                            ? VectorKernels.accumulateGradients(partialGrad, partialGradCentered, gv, gAt, xv, xAt, mu, width) : 0;
                    for (; j < width; j++) {
                        float g = gv[gAt + j];
                        partialGrad[j] += g;
                        partialGradCentered[j] += g * (xv[xAt + j] - mu[j]);
                    }
                }
                for (int j = 0; j < width; j++) {
                    sumGrad[j] += partialGrad[j];
                    sumGradCentered[j] += partialGradCentered[j];
                }
            }
            float[] k0 = new float[width];
            float[] k1 = new float[width];
            float[] k2 = new float[width];
            for (int j = 0; j < width; j++) {
                double inverse = floats(invStd)[invStd.offset() + c0 + j];
                double sumGradNormalized = sumGradCentered[j] * inverse;
                if (gradWeight != null) {
                    floats(gradWeight)[gradWeight.offset() + c0 + j] = (float) sumGradNormalized;
                }
                if (gradBias != null) {
                    floats(gradBias)[gradBias.offset() + c0 + j] = (float) sumGrad[j];
                }
                double a = weight == null ? inverse : inverse * floats(weight)[weight.offset() + c0 + j];
                k1[j] = (float) a;
                k2[j] = (float) (-a * inverse * sumGradNormalized / rows);
                k0[j] = (float) (-a * sumGrad[j] / rows);
            }
            if (gradInput == null) {
                return;
            }
            float[] iv = floats(gradInput);
            int io = gradInput.offset();
            for (int r = 0; r < rows; r++) {
                int xAt = xo + r * columns + c0;
                int gAt = go + r * columns + c0;
                int iAt = io + r * columns + c0;
                int j = VectorSupport.enabled ? VectorKernels.batchNormInputGradient(gv, gAt, xv, xAt, mu, k0, k1, k2, iv, iAt, width) : 0;
                for (; j < width; j++) {
                    iv[iAt + j] = gv[gAt + j] * k1[j] + (xv[xAt + j] - mu[j]) * k2[j] + k0[j];
                }
            }
        });
    }
}
