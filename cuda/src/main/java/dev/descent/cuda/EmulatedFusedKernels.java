package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels;
import dev.descent.core.NDArray;

/** The CPU's fused kernels on host views, counted as the GPU's launches. */
final class EmulatedFusedKernels implements FusedKernels {
    private final EmulatedCudaBackend backend;
    private final EmulatedDevice device;
    private final FusedKernels cpu;

    EmulatedFusedKernels(EmulatedCudaBackend backend, FusedKernels cpu) {
        this.backend = backend;
        this.device = backend.emulatedDevice();
        this.cpu = cpu;
    }

    /** The host view of a device array ({@link EmulatedCudaBackend#host}). */
    private NDArray host(NDArray x) {
        return backend.host(x);
    }

    @Override
    public void sgdUpdate(SgdArrays arrays, SgdStep step) {
        SgdArrays views = new SgdArrays(host(arrays.param()), host(arrays.grad()), host(arrays.momentumBuffer()));
        device.run(1, () -> cpu.sgdUpdate(views, step));
    }

    @Override
    public void adamUpdate(AdamArrays arrays, AdamStep step) {
        AdamArrays views = hostArrays(arrays);
        device.run(1, () -> cpu.adamUpdate(views, step));
    }

    /** The learning rate and step count are read when the kernel runs, as the GPU kernel reads them from device memory. */
    @Override
    public void capturableAdamUpdate(AdamArrays arrays, CapturableAdamStep step) {
        AdamArrays views = hostArrays(arrays);
        CapturableAdamStep scalars = new CapturableAdamStep(host(step.lr()), host(step.step()), step.beta1(), step.beta2(), step.eps(),
                step.weightDecay(), step.decoupledWeightDecay());
        device.run(1, () -> cpu.capturableAdamUpdate(views, scalars));
    }

    private AdamArrays hostArrays(AdamArrays arrays) {
        return new AdamArrays(host(arrays.param()), host(arrays.grad()), host(arrays.average()), host(arrays.squareAverage()),
                host(arrays.maxSquare()));
    }

    /** Two kernels on a GPU: statistics, then normalization. */
    @Override
    public void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, BatchNormStatistics statistics) {
        NDArray a = host(x);
        NDArray w = host(weight);
        NDArray b = host(bias);
        NDArray o = host(out);
        BatchNormStatistics s = hostStatistics(statistics);
        device.run(2, () -> cpu.batchNormForward(a, w, b, eps, o, s));
    }

    /** Two kernels on a GPU: the per-channel sums, then the input gradient. */
    @Override
    public void batchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                  BatchNormGradients gradients) {
        NDArray g = host(grad);
        NDArray a = host(x);
        NDArray w = host(weight);
        BatchNormStatistics s = hostStatistics(statistics);
        BatchNormGradients out = new BatchNormGradients(host(gradients.input()), host(gradients.weight()), host(gradients.bias()));
        device.run(2, () -> cpu.batchNormBackward(g, a, w, s, out));
    }

    /** Two kernels on a GPU ({@link CudaSpatialBatchNorm}): statistics, then normalization; the same fallback. */
    @Override
    public void spatialBatchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out,
                                        BatchNormStatistics statistics) {
        if (!CudaSpatialBatchNorm.takesForward(x, weight, bias, out, statistics)) {
            FusedKernels.super.spatialBatchNormForward(x, weight, bias, eps, out, statistics);
            return;
        }
        NDArray a = host(x);
        NDArray w = host(weight);
        NDArray b = host(bias);
        NDArray o = host(out);
        BatchNormStatistics s = hostStatistics(statistics);
        device.run(CudaSpatialBatchNorm.forwardLaunches(x), () -> cpu.spatialBatchNormForward(a, w, b, eps, o, s));
    }

    /** One or two kernels on a GPU: the sums (into a temporary float64 [2, C] buffer, allocated here too), then the input gradient. */
    @Override
    public void spatialBatchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                         BatchNormGradients gradients) {
        if (!CudaSpatialBatchNorm.takesBackward(grad, x, weight, statistics, gradients)) {
            FusedKernels.super.spatialBatchNormBackward(grad, x, weight, statistics, gradients);
            return;
        }
        NDArray g = host(grad);
        NDArray a = host(x);
        NDArray w = host(weight);
        BatchNormStatistics s = hostStatistics(statistics);
        BatchNormGradients out = new BatchNormGradients(host(gradients.input()), host(gradients.weight()), host(gradients.bias()));
        int launches = CudaSpatialBatchNorm.backwardLaunches(x, gradients);
        CachingAllocator.Block sums = launches == 0 ? null : backend.scratch(DType.FLOAT64, 2L * x.shape()[1]);
        device.run(launches, () -> cpu.spatialBatchNormBackward(g, a, w, s, out));
        backend.release(sums);
    }

    private BatchNormStatistics hostStatistics(BatchNormStatistics statistics) {
        return new BatchNormStatistics(host(statistics.mean()), host(statistics.invStd()));
    }
}
