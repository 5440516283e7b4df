package dev.descent.core.cpu;

import dev.descent.core.FusedKernels;
import dev.descent.core.NDArray;

/**
 * The CPU's fused kernels: one pass per optimizer update ({@link CpuOptimizerKernels}) and a few
 * per batch normalization ({@link CpuBatchNormKernels}) where the layout allows, the composed
 * defaults otherwise.
 */
final class CpuFusedKernels implements FusedKernels {
    static final CpuFusedKernels INSTANCE = new CpuFusedKernels();

    private CpuFusedKernels() {
    }

    @Override
    public void sgdUpdate(SgdArrays arrays, SgdStep step) {
        if (CpuOptimizerKernels.fusable(arrays.param(), arrays.grad(), arrays.momentumBuffer())) {
            CpuOptimizerKernels.sgd(arrays, step);
        } else {
            FusedKernels.super.sgdUpdate(arrays, step);
        }
    }

    @Override
    public void adamUpdate(AdamArrays arrays, AdamStep step) {
        if (CpuOptimizerKernels.fusable(arrays.param(), arrays.grad(), arrays.average(), arrays.squareAverage(), arrays.maxSquare())) {
            CpuOptimizerKernels.adam(arrays, step);
        } else {
            FusedKernels.super.adamUpdate(arrays, step);
        }
    }

    @Override
    public void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, BatchNormStatistics statistics) {
        if (CpuBatchNormKernels.fusable(x, weight, bias, out, statistics.mean(), statistics.invStd())) {
            CpuBatchNormKernels.forward(x, weight, bias, eps, out, statistics);
        } else {
            FusedKernels.super.batchNormForward(x, weight, bias, eps, out, statistics);
        }
    }

    @Override
    public void batchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                  BatchNormGradients gradients) {
        if (CpuBatchNormKernels.fusable(x, grad, statistics.mean(), statistics.invStd(), weight, gradients.input(), gradients.weight(),
                gradients.bias())) {
            CpuBatchNormKernels.backward(grad, x, weight, statistics, gradients);
        } else {
            FusedKernels.super.batchNormBackward(grad, x, weight, statistics, gradients);
        }
    }

    @Override
    public void spatialBatchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out,
                                        BatchNormStatistics statistics) {
        if (CpuSpatialBatchNorm.fusable(x, weight, bias, out, statistics.mean(), statistics.invStd())) {
            CpuSpatialBatchNorm.forward(x, weight, bias, eps, out, statistics);
        } else {
            FusedKernels.super.spatialBatchNormForward(x, weight, bias, eps, out, statistics);
        }
    }

    @Override
    public void spatialBatchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                         BatchNormGradients gradients) {
        if (CpuSpatialBatchNorm.fusable(x, grad, statistics.mean(), statistics.invStd(), weight, gradients.input(),
                gradients.weight(), gradients.bias())) {
            CpuSpatialBatchNorm.backward(grad, x, weight, statistics, gradients);
        } else {
            FusedKernels.super.spatialBatchNormBackward(grad, x, weight, statistics, gradients);
        }
    }
}
