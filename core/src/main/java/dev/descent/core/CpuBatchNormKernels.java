package dev.descent.core;

/**
 * Batch normalization of a contiguous float32 [N, C] matrix on the CPU, forward and backward, as
 * {@link Backend#batchNormForward} and {@link Backend#batchNormBackward} define them. The
 * composed defaults make about eight passes over N x C values and as many temporaries each way;
 * here the forward is three passes (column sums, centred squares, the affine map) and the backward
 * two (the two column sums, then the input gradient as one multiply-add per element), all along
 * contiguous rows so the JIT vectorizes the inner loops. Threads split the columns.
 *
 * <p>Column sums are accumulated in float64 (batches of any size keep float32's precision); the
 * elementwise passes run in float32 with per-column coefficients folded in advance:
 * {@code out = x scale + shift} forward, {@code gradInput = grad k1 + (x - mean) k2 + k0} backward.
 */
final class CpuBatchNormKernels {
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

    static void forward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray invStd) {
        int rows = x.shape()[0];
        int columns = x.shape()[1];
        float[] xv = floats(x);
        float[] ov = floats(out);
        int xo = x.offset();
        int oo = out.offset();
        Parallel.forRange(columns, grain(rows), (c0, c1) -> {
            int width = c1 - c0;
            double[] sum = new double[width];
            for (int r = 0; r < rows; r++) {
                int at = xo + r * columns + c0;
                for (int j = 0; j < width; j++) {
                    sum[j] += xv[at + j];
                }
            }
            float[] mu = new float[width];
            for (int j = 0; j < width; j++) {
                mu[j] = (float) (sum[j] / rows);
            }
            double[] squares = new double[width];
            for (int r = 0; r < rows; r++) {
                int at = xo + r * columns + c0;
                for (int j = 0; j < width; j++) {
                    float d = xv[at + j] - mu[j];
                    squares[j] += d * d;
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
                for (int j = 0; j < width; j++) {
                    ov[to + j] = xv[from + j] * scale[j] + shift[j];
                }
            }
        });
    }

    static void backward(NDArray grad, NDArray x, NDArray mean, NDArray invStd, NDArray weight, NDArray gradInput,
                         NDArray gradWeight, NDArray gradBias) {
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
            for (int r = 0; r < rows; r++) {
                int xAt = xo + r * columns + c0;
                int gAt = go + r * columns + c0;
                for (int j = 0; j < width; j++) {
                    float g = gv[gAt + j];
                    sumGrad[j] += g;
                    sumGradCentered[j] += g * (xv[xAt + j] - mu[j]);
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
                for (int j = 0; j < width; j++) {
                    iv[iAt + j] = gv[gAt + j] * k1[j] + (xv[xAt + j] - mu[j]) * k2[j] + k0[j];
                }
            }
        });
    }
}
