package dev.descent.core.cpu;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * Batch normalization of a contiguous [N, C, L] array per channel over N x L, as
 * {@link FusedKernels#spatialBatchNormForward} and {@link FusedKernels#spatialBatchNormBackward}
 * define it: channel c is N contiguous runs of L values, one per sample, so each run is read in
 * place (no transposing copy to [C, N L]). Forward is three passes per channel (sum, centred
 * squares, the affine map), backward two (the two gradient sums, then the input gradient); the
 * composed defaults make about eight passes and as many temporaries. Threads split the channels.
 *
 * <p>float32 runs go through the row kernels of {@link VectorKernels} in chunks of {@link #CHUNK}
 * values, with the per-column coefficient arrays those kernels take filled with the channel's one
 * coefficient; chunk partial sums are float32 for at most {@link #FOLD} chunks before they move
 * into float64 totals, so a channel of any size keeps float32's precision. float64 runs are plain
 * loops accumulating in double.
 */
final class CpuSpatialBatchNorm {
    /** Values one vector-kernel call handles: a few vectors, so that the loop bound costs nothing. */
    static final int CHUNK = 64;
    /** Chunks summed into the float32 partials before they are folded into float64. */
    static final int FOLD = 32;

    private CpuSpatialBatchNorm() {
    }

    /** Whether x is a contiguous float32 or float64 [N, C, L] array and every other (non-null) array contiguous of its dtype. */
    static boolean fusable(NDArray x, NDArray... others) {
        if ((x.dtype() != DType.FLOAT32 && x.dtype() != DType.FLOAT64) || x.rank() != 3 || !x.isContiguous()) {
            return false;
        }
        for (NDArray other : others) {
            if (other != null && (other.dtype() != x.dtype() || !other.isContiguous())) {
                return false;
            }
        }
        return true;
    }

    private static int grain(int valuesPerChannel) {
        return Math.max(1, StridedLoop.PARALLEL_THRESHOLD / Math.max(1, valuesPerChannel));
    }

    /** Reads element i of a contiguous float array as double (null arrays read as {@code absent}). */
    private static double value(NDArray a, int i, double absent) {
        if (a == null) {
            return absent;
        }
        CpuStorage s = (CpuStorage) a.storage();
        return s.floats != null ? s.floats[a.offset() + i] : s.doubles[a.offset() + i];
    }

    private static void store(NDArray a, int i, double v) {
        CpuStorage s = (CpuStorage) a.storage();
        if (s.floats != null) {
            s.floats[a.offset() + i] = (float) v;
        } else {
            s.doubles[a.offset() + i] = v;
        }
    }

    static void forward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, BatchNormStatistics statistics) {
        int n = x.shape()[0];
        int channels = x.shape()[1];
        int length = x.shape()[2];
        long count = (long) n * length;
        CpuStorage xs = (CpuStorage) x.storage();
        CpuStorage os = (CpuStorage) out.storage();
        Parallel.forRange(channels, grain(n * length), (c0, c1) -> {
            Chunks chunks = xs.floats != null ? new Chunks() : null;
            for (int c = c0; c < c1; c++) {
                int first = x.offset() + c * length;
                int firstOut = out.offset() + c * length;
                int step = channels * length;
                double mean;
                double inverse;
                if (chunks != null) {
                    double sum = 0;
                    for (int s = 0; s < n; s++) {
                        sum += chunks.sum(xs.floats, first + s * step, length);
                    }
                    float mu = (float) (sum / count);
                    double squares = 0;
                    for (int s = 0; s < n; s++) {
                        squares += chunks.centeredSquares(xs.floats, first + s * step, length, mu);
                    }
                    mean = mu;
                    inverse = (float) (1 / Math.sqrt(squares / count + eps));
                } else {
                    double[] xv = xs.doubles;
                    double sum = 0;
                    for (int s = 0; s < n; s++) {
                        for (int i = first + s * step, end = i + length; i < end; i++) {
                            sum += xv[i];
                        }
                    }
                    mean = sum / count;
                    double squares = 0;
                    for (int s = 0; s < n; s++) {
                        for (int i = first + s * step, end = i + length; i < end; i++) {
                            double d = xv[i] - mean;
                            squares += d * d;
                        }
                    }
                    inverse = 1 / Math.sqrt(squares / count + eps);
                }
                store(statistics.mean(), c, mean);
                store(statistics.invStd(), c, inverse);
                double scale = inverse * value(weight, c, 1);
                double shift = value(bias, c, 0) - mean * scale;
                for (int s = 0; s < n; s++) {
                    if (chunks != null) {
                        chunks.affine(xs.floats, first + s * step, length, (float) scale, (float) shift, os.floats, firstOut + s * step);
                    } else {
                        double[] xv = xs.doubles;
                        double[] ov = os.doubles;
                        for (int i = 0, from = first + s * step, to = firstOut + s * step; i < length; i++) {
                            ov[to + i] = xv[from + i] * scale + shift;
                        }
                    }
                }
            }
        });
    }

    static void backward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics, BatchNormGradients gradients) {
        int n = x.shape()[0];
        int channels = x.shape()[1];
        int length = x.shape()[2];
        long count = (long) n * length;
        NDArray gradInput = gradients.input();
        CpuStorage xs = (CpuStorage) x.storage();
        CpuStorage gs = (CpuStorage) grad.storage();
        CpuStorage is = gradInput == null ? null : (CpuStorage) gradInput.storage();
        Parallel.forRange(channels, grain(n * length), (c0, c1) -> {
            Chunks chunks = xs.floats != null ? new Chunks() : null;
            for (int c = c0; c < c1; c++) {
                int step = channels * length;
                int xFirst = x.offset() + c * length;
                int gFirst = grad.offset() + c * length;
                double mean = value(statistics.mean(), c, 0);
                double inverse = value(statistics.invStd(), c, 1);
                double sumGrad = 0;
                double sumGradCentered = 0;
                if (chunks != null) {
                    chunks.startChannel();
                }
                for (int s = 0; s < n; s++) {
                    if (chunks != null) {
                        chunks.gradientSums(gs.floats, gFirst + s * step, xs.floats, xFirst + s * step, length, (float) mean);
                    } else {
                        double[] gv = gs.doubles;
                        double[] xv = xs.doubles;
                        for (int i = 0, g0 = gFirst + s * step, x0 = xFirst + s * step; i < length; i++) {
                            sumGrad += gv[g0 + i];
                            sumGradCentered += gv[g0 + i] * (xv[x0 + i] - mean);
                        }
                    }
                }
                if (chunks != null) {
                    sumGrad = chunks.sumGrad;
                    sumGradCentered = chunks.sumGradCentered;
                }
                double sumGradNormalized = sumGradCentered * inverse;
                if (gradients.weight() != null) {
                    store(gradients.weight(), c, sumGradNormalized);
                }
                if (gradients.bias() != null) {
                    store(gradients.bias(), c, sumGrad);
                }
                if (gradInput == null) {
                    continue;
                }
                // gradInput = grad k1 + (x - mean) k2 + k0, the coefficients folded per channel
                double k1 = inverse * value(weight, c, 1);
                double k2 = -k1 * inverse * sumGradNormalized / count;
                double k0 = -k1 * sumGrad / count;
                int iFirst = gradInput.offset() + c * length;
                for (int s = 0; s < n; s++) {
                    if (chunks != null) {
                        chunks.inputGradient(gs.floats, gFirst + s * step, xs.floats, xFirst + s * step, length, (float) mean,
                                (float) k0, (float) k1, (float) k2, is.floats, iFirst + s * step);
                    } else {
                        double[] gv = gs.doubles;
                        double[] xv = xs.doubles;
                        double[] iv = is.doubles;
                        for (int i = 0, g0 = gFirst + s * step, x0 = xFirst + s * step, i0 = iFirst + s * step; i < length; i++) {
                            iv[i0 + i] = gv[g0 + i] * k1 + (xv[x0 + i] - mean) * k2 + k0;
                        }
                    }
                }
            }
        });
    }

    /**
     * One thread's float32 scratch: the coefficient arrays the row kernels read (every lane holds
     * the channel's one value, refilled only when it changes, so that short runs cost no fills)
     * and the chunk partials (zero between calls: a fold resets them), with the float64 totals of
     * the current channel's gradient sums.
     */
    private static final class Chunks {
        private final float[] partial = new float[CHUNK];
        private final float[] partialCentered = new float[CHUNK];
        private final float[] mean = new float[CHUNK];
        private final float[] k0 = new float[CHUNK];
        private final float[] k1 = new float[CHUNK];
        private final float[] k2 = new float[CHUNK];
        double sumGrad;
        double sumGradCentered;

        /** &Sigma; x[at, at + length), float32 within chunks, float64 across folds. */
        double sum(float[] x, int at, int length) {
            double total = 0;
            int i = 0;
            for (int chunk = 0; i + CHUNK <= length; i += CHUNK) {
                int j = VectorSupport.enabled ? VectorKernels.accumulate(partial, x, at + i, CHUNK) : 0;
                for (; j < CHUNK; j++) {
                    partial[j] += x[at + i + j];
                }
                if (++chunk % FOLD == 0) {
                    total += fold(partial);
                }
            }
            for (; i < length; i++) {
                total += x[at + i];
            }
            return length >= CHUNK ? total + fold(partial) : total;
        }

        /** &Sigma; (x - mu)&sup2; over x[at, at + length). */
        double centeredSquares(float[] x, int at, int length, float mu) {
            if (mean[0] != mu || Float.isNaN(mu)) {
                Arrays.fill(mean, mu);
            }
            double total = 0;
            int i = 0;
            for (int chunk = 0; i + CHUNK <= length; i += CHUNK) {
                int j = VectorSupport.enabled ? VectorKernels.accumulateCenteredSquares(partial, x, at + i, mean, CHUNK) : 0;
                for (; j < CHUNK; j++) {
                    float d = x[at + i + j] - mu;
                    partial[j] += d * d;
                }
                if (++chunk % FOLD == 0) {
                    total += fold(partial);
                }
            }
            for (; i < length; i++) {
                double d = x[at + i] - mu;
                total += d * d;
            }
            return length >= CHUNK ? total + fold(partial) : total;
        }

        /** out = x scale + shift over one run. */
        void affine(float[] x, int from, int length, float scale, float shift, float[] out, int to) {
            if (k1[0] != scale || k0[0] != shift) {
                Arrays.fill(k1, scale);
                Arrays.fill(k0, shift);
            }
            int i = 0;
            for (; i + CHUNK <= length; i += CHUNK) {
                int j = VectorSupport.enabled ? VectorKernels.affine(x, from + i, k1, k0, out, to + i, CHUNK) : 0;
                for (; j < CHUNK; j++) {
                    out[to + i + j] = x[from + i + j] * scale + shift;
                }
            }
            for (; i < length; i++) {
                out[to + i] = x[from + i] * scale + shift;
            }
        }

        /** Adds one run's &Sigma; g and &Sigma; g (x - mu) to {@link #sumGrad} and {@link #sumGradCentered} ({@link #startChannel} resets them). */
        void gradientSums(float[] g, int gAt, float[] x, int xAt, int length, float mu) {
            if (mean[0] != mu || Float.isNaN(mu)) {
                Arrays.fill(mean, mu);
            }
            int i = 0;
            for (int chunk = 0; i + CHUNK <= length; i += CHUNK) {
                int j = VectorSupport.enabled
                        ? VectorKernels.accumulateGradients(partial, partialCentered, g, gAt + i, x, xAt + i, mean, CHUNK) : 0;
                for (; j < CHUNK; j++) {
                    float gradient = g[gAt + i + j];
                    partial[j] += gradient;
                    partialCentered[j] += gradient * (x[xAt + i + j] - mu);
                }
                if (++chunk % FOLD == 0) {
                    sumGrad += fold(partial);
                    sumGradCentered += fold(partialCentered);
                }
            }
            for (; i < length; i++) {
                sumGrad += g[gAt + i];
                sumGradCentered += (double) g[gAt + i] * (x[xAt + i] - mu);
            }
            if (length >= CHUNK) {
                sumGrad += fold(partial);
                sumGradCentered += fold(partialCentered);
            }
        }

        void startChannel() {
            sumGrad = 0;
            sumGradCentered = 0;
        }

        /** out = g k1 + (x - mu) k2 + k0 over one run. */
        void inputGradient(float[] g, int gAt, float[] x, int xAt, int length, float mu, float c0, float c1, float c2, float[] out,
                           int to) {
            if (mean[0] != mu || k0[0] != c0 || k1[0] != c1 || k2[0] != c2) {
                Arrays.fill(mean, mu);
                Arrays.fill(k0, c0);
                Arrays.fill(k1, c1);
                Arrays.fill(k2, c2);
            }
            int i = 0;
            for (; i + CHUNK <= length; i += CHUNK) {
                int j = VectorSupport.enabled
                        ? VectorKernels.batchNormInputGradient(g, gAt + i, x, xAt + i, mean, k0, k1, k2, out, to + i, CHUNK) : 0;
                for (; j < CHUNK; j++) {
                    out[to + i + j] = g[gAt + i + j] * c1 + (x[xAt + i + j] - mu) * c2 + c0;
                }
            }
            for (; i < length; i++) {
                out[to + i] = g[gAt + i] * c1 + (x[xAt + i] - mu) * c2 + c0;
            }
        }

        /** The float32 partials' total in float64, the partials reset. */
        private static double fold(float[] partials) {
            double total = 0;
            for (int j = 0; j < partials.length; j++) {
                total += partials[j];
                partials[j] = 0f;
            }
            return total;
        }
    }
}
