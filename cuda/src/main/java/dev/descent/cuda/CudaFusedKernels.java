package dev.descent.cuda;

import static dev.descent.cuda.CudaBackend.contiguous;
import static dev.descent.cuda.CudaBackend.suffix;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels;
import dev.descent.core.NDArray;
import jcuda.Pointer;

/** The fused kernels of a {@link CudaBackend}: contiguous arrays of a floating-point dtype; the composed defaults otherwise. */
final class CudaFusedKernels implements FusedKernels {
    private final CudaBackend backend;

    CudaFusedKernels(CudaBackend backend) {
        this.backend = backend;
    }

    private CudaDevice device() {
        return backend.cudaDevice();
    }

    private Pointer at(NDArray x) {
        return backend.at(x);
    }

    private void launch(String kernel, long elements, Object... arguments) {
        backend.launch(kernel, elements, arguments);
    }

    @Override
    public void sgdUpdate(SgdArrays arrays, SgdStep step) {
        NDArray param = arrays.param();
        if (!contiguous(param, arrays.grad(), arrays.momentumBuffer())) {
            FusedKernels.super.sgdUpdate(arrays, step);
            return;
        }
        long n = param.size();
        launch("sgd_update_" + suffix(param.dtype()), n, at(param), at(arrays.grad()), at(arrays.momentumBuffer()), n,
                step.firstStep() ? 1 : 0, step.lr(), step.momentum(), step.dampening(), step.weightDecay(), step.nesterov() ? 1 : 0);
    }

    @Override
    public void adamUpdate(AdamArrays arrays, AdamStep step) {
        if (!adamContiguous(arrays)) {
            FusedKernels.super.adamUpdate(arrays, step);
            return;
        }
        long n = arrays.param().size();
        launch("adam_update_" + suffix(arrays.param().dtype()), n, at(arrays.param()), at(arrays.grad()), at(arrays.average()),
                at(arrays.squareAverage()), at(arrays.maxSquare()), n, step.stepSize(), step.sqrtBiasCorrection2(), step.beta1(),
                step.beta2(), step.eps(), step.weightDecay(), step.decoupledDecay());
    }

    @Override
    public void capturableAdamUpdate(AdamArrays arrays, CapturableAdamStep step) {
        if (!adamContiguous(arrays)) {
            FusedKernels.super.capturableAdamUpdate(arrays, step);
            return;
        }
        long n = arrays.param().size();
        launch("capturable_adam_update_" + suffix(arrays.param().dtype()), n, at(arrays.param()), at(arrays.grad()),
                at(arrays.average()), at(arrays.squareAverage()), at(arrays.maxSquare()), n, at(step.lr()), at(step.step()),
                step.beta1(), step.beta2(), step.eps(), step.weightDecay(), step.decoupledWeightDecay());
    }

    private static boolean adamContiguous(AdamArrays arrays) {
        return contiguous(arrays.param(), arrays.grad(), arrays.average(), arrays.squareAverage(), arrays.maxSquare());
    }

    @Override
    public void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, BatchNormStatistics statistics) {
        if (x.rank() != 2 || x.dtype() == DType.INT32 || !contiguous(x, weight, bias, out, statistics.mean(), statistics.invStd())) {
            FusedKernels.super.batchNormForward(x, weight, bias, eps, out, statistics);
            return;
        }
        int rows = x.shape()[0];
        int channels = x.shape()[1];
        String suffix = suffix(x.dtype());
        device().launch("batch_norm_statistics_" + suffix, CudaDevice.blocksFor(channels), CudaDevice.THREADS, at(x), rows, channels, eps,
                at(statistics.mean()), at(statistics.invStd()));
        launch("batch_norm_normalize_" + suffix, (long) rows * channels, at(x), at(statistics.mean()), at(statistics.invStd()),
                at(weight), at(bias), at(out), rows, channels);
    }

    @Override
    public void batchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                  BatchNormGradients gradients) {
        NDArray mean = statistics.mean();
        NDArray invStd = statistics.invStd();
        if (x.rank() != 2 || x.dtype() == DType.INT32
                || !contiguous(grad, x, mean, invStd, weight, gradients.input(), gradients.weight(), gradients.bias())) {
            FusedKernels.super.batchNormBackward(grad, x, weight, statistics, gradients);
            return;
        }
        int rows = x.shape()[0];
        int channels = x.shape()[1];
        String suffix = suffix(x.dtype());
        NDArray sumGrad = gradients.bias() != null ? gradients.bias() : NDArray.empty(x.dtype(), new int[] {channels}, device().device());
        NDArray sumGradNormalized = gradients.weight() != null ? gradients.weight()
                : NDArray.empty(x.dtype(), new int[] {channels}, device().device());
        device().launch("batch_norm_backward_sums_" + suffix, CudaDevice.blocksFor(channels), CudaDevice.THREADS, at(grad), at(x), at(mean),
                at(invStd), rows, channels, at(sumGrad), at(sumGradNormalized));
        if (gradients.input() != null) {
            launch("batch_norm_input_gradient_" + suffix, (long) rows * channels, at(grad), at(x), at(mean), at(invStd), at(weight),
                    at(sumGrad), at(sumGradNormalized), at(gradients.input()), rows, channels);
        }
    }

    /** Two kernels ({@link CudaSpatialBatchNorm}): per-channel statistics, then normalization. */
    @Override
    public void spatialBatchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out,
                                        BatchNormStatistics statistics) {
        if (!CudaSpatialBatchNorm.takesForward(x, weight, bias, out, statistics)) {
            FusedKernels.super.spatialBatchNormForward(x, weight, bias, eps, out, statistics);
            return;
        }
        CudaSpatialBatchNorm.forward(backend, x, weight, bias, eps, out, statistics);
    }

    /** Two kernels ({@link CudaSpatialBatchNorm}): per-channel gradient sums, then the input gradient when asked for. */
    @Override
    public void spatialBatchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                         BatchNormGradients gradients) {
        if (!CudaSpatialBatchNorm.takesBackward(grad, x, weight, statistics, gradients)) {
            FusedKernels.super.spatialBatchNormBackward(grad, x, weight, statistics, gradients);
            return;
        }
        CudaSpatialBatchNorm.backward(backend, grad, x, weight, statistics, gradients);
    }
}
