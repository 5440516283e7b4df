package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels;

/**
 * Max and average pooling of a GPU, forward and backward, one thread per output (forward) or per
 * input element (average backward) in a grid-stride loop (kernels in {@code convolution.cu}); the
 * windows, the NaN rule, the argmax and the divisors are the CPU's ({@link PoolingKernels}).
 * <pre>
 *   max_pool2d            one thread per output: the window's maximum and its plane index
 *   max_pool2d_backward   gradInput cleared, then one thread per output gradient, atomicAdd at its index
 *   avg_pool2d            one thread per output: the window's sum in double / divisor
 *   avg_pool2d_backward   one thread per input element: the shares of the windows covering it (a gather)
 * </pre>
 * Max pooling's backward scatters because {@link PoolingKernels#maxPool2dBackward} receives the
 * indices but not the window, so an input element cannot find the outputs that may have chosen
 * it; where windows do not overlap (stride &gt;= kernel, the usual case) no two outputs share a
 * target and the sums are exact, else the order of a shared target's additions may vary, as in
 * PyTorch's CUDA kernel. Average pooling's backward knows the window and gathers: no atomics, no
 * clearing, and the additions in the CPU's order.
 *
 * <p>Inputs ({@code x}, {@code grad}) are read through their strides (passed as the kernels' Strides4); outputs must be contiguous,
 * else (and for other dtypes) the composed defaults run. Adaptive average pooling stays composed.
 */
final class CudaPoolingKernels implements PoolingKernels {
    private final CudaBackend backend;

    CudaPoolingKernels(CudaBackend backend) {
        this.backend = backend;
    }

    /** Whether these kernels take the call: a floating-point input and contiguous outputs. */
    static boolean handles(NDArray input, NDArray... outputs) {
        if (input.dtype() != DType.FLOAT32 && input.dtype() != DType.FLOAT64) {
            return false;
        }
        for (NDArray output : outputs) {
            if (!output.isContiguous()) {
                return false;
            }
        }
        return true;
    }

    /** The PoolShape struct of convolution.cu for an input of {@code inputShape} and an output of oh x ow. */
    static int[] shape(int[] inputShape, int oh, int ow, Window w) {
        return new int[] {inputShape[1], inputShape[2], inputShape[3], oh, ow, w.kernelH(), w.kernelW(), w.strideH(), w.strideW(),
                w.padH(), w.padW(), w.dilationH(), w.dilationW()};
    }

    /** Kernels {@link #maxPool2dBackward} launches: the clearing of gradInput and the scatter. */
    static int maxPoolBackwardLaunches(NDArray grad, NDArray gradInput) {
        return (gradInput.size() > 0 ? 1 : 0) + (grad.size() > 0 ? 1 : 0);
    }

    @Override
    public void maxPool2d(NDArray x, Window w, NDArray out, NDArray indices) {
        if (!handles(x, out, indices)) {
            PoolingKernels.super.maxPool2d(x, w, out, indices);
            return;
        }
        if (out.size() == 0) {
            return;
        }
        backend.launch("max_pool2d_" + CudaBackend.suffix(x.dtype()), out.size(), backend.at(x), x.strides(),
                shape(x.shape(), out.shape(2), out.shape(3), w), x.shape(0), backend.at(out), backend.at(indices));
    }

    @Override
    public void maxPool2dBackward(NDArray grad, NDArray indices, NDArray gradInput) {
        if (!handles(grad, gradInput, indices)) {
            PoolingKernels.super.maxPool2dBackward(grad, indices, gradInput);
            return;
        }
        backend.fill(gradInput, 0);
        if (grad.size() == 0) {
            return;
        }
        int[] s = gradInput.shape();
        backend.launch("max_pool2d_backward_" + CudaBackend.suffix(grad.dtype()), grad.size(), backend.at(grad), grad.strides(),
                backend.at(indices), s[1], grad.shape(2), grad.shape(3), s[2] * s[3], (long) grad.size(), backend.at(gradInput));
    }

    @Override
    public void avgPool2d(NDArray x, Window w, boolean countIncludePad, NDArray out) {
        if (!handles(x, out)) {
            PoolingKernels.super.avgPool2d(x, w, countIncludePad, out);
            return;
        }
        if (out.size() == 0) {
            return;
        }
        backend.launch("avg_pool2d_" + CudaBackend.suffix(x.dtype()), out.size(), backend.at(x), x.strides(),
                shape(x.shape(), out.shape(2), out.shape(3), w), x.shape(0), countIncludePad ? 1 : 0, backend.at(out));
    }

    @Override
    public void avgPool2dBackward(NDArray grad, Window w, boolean countIncludePad, NDArray gradInput) {
        if (!handles(grad, gradInput)) {
            PoolingKernels.super.avgPool2dBackward(grad, w, countIncludePad, gradInput);
            return;
        }
        if (gradInput.size() == 0) {
            return;
        }
        backend.launch("avg_pool2d_backward_" + CudaBackend.suffix(grad.dtype()), gradInput.size(), backend.at(grad), grad.strides(),
                shape(gradInput.shape(), grad.shape(2), grad.shape(3), w), gradInput.shape(0), countIncludePad ? 1 : 0,
                backend.at(gradInput));
    }
}
