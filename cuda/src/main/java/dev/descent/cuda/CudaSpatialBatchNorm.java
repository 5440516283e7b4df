package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.NDArray;

/**
 * Batch normalization of a contiguous x [N, C, L] per channel over its N x L values on a GPU, as
 * {@link FusedKernels#spatialBatchNormForward} and {@link FusedKernels#spatialBatchNormBackward}
 * define it (kernels in {@code convolution.cu}):
 * <pre>
 *   forward    spatial_batch_norm_statistics     one block per channel: mean, then the centred squares (two passes, in double)
 *              spatial_batch_norm_normalize      grid-stride over N C L: x invStd weight + (bias - mean invStd weight)
 *   backward   spatial_batch_norm_backward_sums  one block per channel: &Sigma; grad and &Sigma; grad (x - mean) invStd, in double
 *              spatial_batch_norm_input_gradient grid-stride over N C L (only when the input gradient is asked for)
 * </pre>
 * A channel's values lie in N runs of L, spread over the batch, so the sums take a block per
 * channel (its threads stride over the N L values, then a tree in shared memory) rather than the
 * thread per channel of the [N, C] kernels, whose reads are coalesced across channels instead.
 * The two sums of the backward pass go to a temporary float64 [2, C] buffer, so the input
 * gradient reads them unrounded whether or not the weight and bias gradients are wanted.
 */
final class CudaSpatialBatchNorm {
    /** Threads of a per-channel block: the shared-memory tree in the kernels holds this many doubles. */
    static final int THREADS = CudaDevice.THREADS;

    private CudaSpatialBatchNorm() {
    }

    /** Whether x is a float32 or float64 [N, C, L] array and it and every other (non-null) array contiguous of its dtype. */
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

    /** Whether the forward kernels take this call (the real and the emulated backend alike): {@link #fusable} over its arrays. */
    static boolean takesForward(NDArray x, NDArray weight, NDArray bias, NDArray out, BatchNormStatistics statistics) {
        return fusable(x, weight, bias, out, statistics.mean(), statistics.invStd());
    }

    /** Whether the backward kernels take this call (the real and the emulated backend alike): {@link #fusable} over its arrays. */
    static boolean takesBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                 BatchNormGradients gradients) {
        return fusable(x, grad, statistics.mean(), statistics.invStd(), weight, gradients.input(), gradients.weight(), gradients.bias());
    }

    /** Blocks of the per-channel kernels: one per channel (they loop when there are more channels than a grid holds). */
    static int channelBlocks(int channels) {
        return Math.max(1, Math.min(channels, CudaDevice.MAX_BLOCKS));
    }

    /** Kernels {@link #forward} launches for x [N, C, L]. */
    static int forwardLaunches(NDArray x) {
        return x.shape()[1] == 0 ? 0 : 2;
    }

    /** Kernels {@link #backward} launches; it allocates a float64 [2, C] buffer when any. */
    static int backwardLaunches(NDArray x, BatchNormGradients gradients) {
        return x.shape()[1] == 0 ? 0 : gradients.input() != null ? 2 : 1;
    }

    static void forward(CudaBackend backend, NDArray x, NDArray weight, NDArray bias, double eps, NDArray out,
                        BatchNormStatistics statistics) {
        int[] s = x.shape();
        if (s[1] == 0) {
            return;
        }
        String suffix = CudaBackend.suffix(x.dtype());
        backend.cudaDevice().launch("spatial_batch_norm_statistics_" + suffix, channelBlocks(s[1]), THREADS, backend.at(x), s[0], s[1], s[2],
                eps, backend.at(statistics.mean()), backend.at(statistics.invStd()));
        long total = x.size();
        backend.launch("spatial_batch_norm_normalize_" + suffix, total, backend.at(x), backend.at(statistics.mean()),
                backend.at(statistics.invStd()), backend.at(weight), backend.at(bias), backend.at(out), s[1], s[2], total);
    }

    static void backward(CudaBackend backend, NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                         BatchNormGradients gradients) {
        int[] s = x.shape();
        if (s[1] == 0) {
            return;
        }
        String suffix = CudaBackend.suffix(x.dtype());
        CudaStorage sums = backend.scratch(DType.FLOAT64, 2L * s[1]);
        backend.cudaDevice().launch("spatial_batch_norm_backward_sums_" + suffix, channelBlocks(s[1]), THREADS, backend.at(grad),
                backend.at(x), backend.at(statistics.mean()), backend.at(statistics.invStd()), s[0], s[1], s[2], sums,
                backend.at(gradients.weight()), backend.at(gradients.bias()));
        if (gradients.input() != null) {
            long total = x.size();
            backend.launch("spatial_batch_norm_input_gradient_" + suffix, total, backend.at(grad), backend.at(x),
                    backend.at(statistics.mean()), backend.at(statistics.invStd()), backend.at(weight), sums,
                    backend.at(gradients.input()), s[1], s[2], total, (long) s[0] * s[2]);
        }
        sums.release();   // the stream runs the kernels before any later use of the block
    }
}
