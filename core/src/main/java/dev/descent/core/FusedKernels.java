package dev.descent.core;

/**
 * Fused kernels that a backend may provide through {@link Backend#fused()}: optimizer updates in
 * place and batch normalization of a matrix. Each default here composes {@link NDArray}
 * operations (which run on the arrays' own backend), so a backend overrides only what it can do in
 * fewer passes, calls {@code FusedKernels.super} for layouts it does not handle, and gives the
 * composed results up to rounding. The caller checks the arguments: all arrays are on one device
 * and, unless said otherwise, share one dtype; the records only name them.
 */
public interface FusedKernels {

    /** The composed kernels, for a backend that fuses none. */
    FusedKernels COMPOSED = new FusedKernels() {
    };

    // ---------------------------------------------------------------- optimizer updates

    /**
     * The arrays of an SGD update, all of one shape: {@code param} is updated in place from
     * {@code grad}; {@code momentumBuffer} is null without momentum.
     */
    record SgdArrays(NDArray param, NDArray grad, NDArray momentumBuffer) {
    }

    /**
     * The scalars of one SGD update; with {@code firstStep} the momentum buffer takes the
     * gradient instead of decaying.
     */
    record SgdStep(double lr, double momentum, double dampening, double weightDecay, boolean nesterov, boolean firstStep) {
    }

    /**
     * The arrays of an Adam or AdamW update, all of one shape: {@code param} is updated in place
     * from {@code grad}, the running moments {@code average} and {@code squareAverage} with it;
     * {@code maxSquare}, the running maximum of the second moment (AMSGrad), may be null.
     */
    record AdamArrays(NDArray param, NDArray grad, NDArray average, NDArray squareAverage, NDArray maxSquare) {
    }

    /**
     * The scalars of one Adam or AdamW update: {@code stepSize} = lr / (1 - beta1<sup>step</sup>),
     * {@code sqrtBiasCorrection2} = sqrt(1 - beta2<sup>step</sup>), {@code weightDecay} the L2
     * term added to the gradient, and {@code decoupledDecay} the factor the parameter is first
     * multiplied by (AdamW's 1 - lr &middot; weightDecay; 1 for Adam).
     */
    record AdamStep(double stepSize, double sqrtBiasCorrection2, double beta1, double beta2, double eps, double weightDecay,
                    double decoupledDecay) {
    }

    /**
     * The scalars of one Adam or AdamW update whose learning rate and step count (already
     * incremented) are 0-d FLOAT64 arrays on the device, whatever the updated arrays' dtype, so
     * that a step captured into a graph stays right as they change; {@code decoupledWeightDecay}
     * is AdamW's weight decay (0 for Adam).
     */
    record CapturableAdamStep(NDArray lr, NDArray step, double beta1, double beta2, double eps, double weightDecay,
                              double decoupledWeightDecay) {

        /**
         * The {@link AdamStep} for the current values of {@code lr} and {@code step}, read back to
         * the host: stepSize = lr / (1 - beta1<sup>step</sup>), sqrtBiasCorrection2 =
         * sqrt(1 - beta2<sup>step</sup>), decoupledDecay = 1 - lr &middot; decoupledWeightDecay.
         */
        public AdamStep read() {
            double rate = lr.item();
            double count = step.item();
            return new AdamStep(rate / (1 - Math.pow(beta1, count)), Math.sqrt(1 - Math.pow(beta2, count)), beta1, beta2, eps,
                    weightDecay, 1 - rate * decoupledWeightDecay);
        }
    }

    /**
     * One SGD update in place: g = grad + weightDecay param; with momentum, buffer = g on the
     * first step, else momentum buffer + (1 - dampening) g, and g = g + momentum buffer
     * (nesterov) or buffer; then param = param - lr g.
     */
    default void sgdUpdate(SgdArrays arrays, SgdStep step) {
        NDArray param = arrays.param();
        NDArray buffer = arrays.momentumBuffer();
        NDArray g = step.weightDecay() != 0 ? arrays.grad().add(param.mul(step.weightDecay())) : arrays.grad();
        if (buffer != null) {
            if (step.firstStep()) {
                buffer.copyFrom(g);
            } else {
                buffer.muli(step.momentum()).addi(g.mul(1 - step.dampening()));
            }
            g = step.nesterov() ? g.add(buffer.mul(step.momentum())) : buffer;
        }
        param.subi(g.mul(step.lr()));
    }

    /**
     * One Adam or AdamW update in place: param = decoupledDecay param; g = grad + weightDecay
     * param; m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g<sup>2</sup>; with
     * {@code maxSquare}, maxSquare = max(maxSquare, v) replaces v below; param = param - stepSize
     * m / (sqrt(v) / sqrtBiasCorrection2 + eps).
     */
    default void adamUpdate(AdamArrays arrays, AdamStep step) {
        NDArray param = arrays.param();
        if (step.decoupledDecay() != 1) {
            param.muli(step.decoupledDecay());
        }
        NDArray g = step.weightDecay() != 0 ? arrays.grad().add(param.mul(step.weightDecay())) : arrays.grad();
        arrays.average().muli(step.beta1()).addi(g.mul(1 - step.beta1()));
        arrays.squareAverage().muli(step.beta2()).addcmuli(g, g, 1 - step.beta2());
        NDArray second = arrays.squareAverage();
        if (arrays.maxSquare() != null) {
            arrays.maxSquare().copyFrom(arrays.maxSquare().maximum(second));
            second = arrays.maxSquare();
        }
        NDArray denominator = second.sqrt().divi(step.sqrtBiasCorrection2()).addi(step.eps());
        param.addcdivi(arrays.average(), denominator, -step.stepSize());
    }

    /**
     * {@link #adamUpdate} with the learning rate and step count read on the device. This default
     * reads them back ({@link CapturableAdamStep#read}); a device backend computes the step's
     * scalars on the device instead.
     */
    default void capturableAdamUpdate(AdamArrays arrays, CapturableAdamStep step) {
        adamUpdate(arrays, step.read());
    }

    // ---------------------------------------------------------------- batch normalization

    /** The per-channel statistics of a batch-normalization forward, each [C]: the mean and 1 / sqrt(var + eps). */
    record BatchNormStatistics(NDArray mean, NDArray invStd) {
    }

    /**
     * The gradients a batch-normalization backward writes: of the input [N, C], of the weight and
     * of the bias [C]; each may be null when not wanted.
     */
    record BatchNormGradients(NDArray input, NDArray weight, NDArray bias) {
    }

    /**
     * Batch normalization with batch statistics, of x [N, C] over its N rows:
     * <pre>
     *   mean_c = &Sigma;&#x2099; x_nc / N      var_c = &Sigma;&#x2099; (x_nc - mean_c)&sup2; / N      invStd_c = 1 / sqrt(var_c + eps)
     *   out_nc = (x_nc - mean_c) invStd_c weight_c + bias_c
     * </pre>
     * Writes {@code out} [N, C] and the {@code statistics}; {@code weight} and {@code bias} [C]
     * may be null (1 and 0).
     */
    default void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, BatchNormStatistics statistics) {
        NDArray batchMean = x.mean(0);
        NDArray centered = x.sub(batchMean);
        NDArray inverse = centered.mul(centered).mean(0).add(eps).rsqrt();
        NDArray y = centered.mul(inverse);
        if (weight != null) {
            y = y.mul(weight);
        }
        if (bias != null) {
            y = y.add(bias);
        }
        out.copyFrom(y);
        statistics.mean().copyFrom(batchMean);
        statistics.invStd().copyFrom(inverse);
    }

    /**
     * The gradients of {@link #batchNormForward} from {@code grad} = dL/dout [N, C], with
     * x&#x302; = (x - mean) invStd:
     * <pre>
     *   gradBias_c = &Sigma;&#x2099; grad_nc        gradWeight_c = &Sigma;&#x2099; grad_nc x&#x302;_nc
     *   gradInput_nc = weight_c invStd_c (grad_nc - gradBias_c / N - x&#x302;_nc gradWeight_c / N)
     * </pre>
     * {@code weight} may be null (1).
     */
    default void batchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                   BatchNormGradients gradients) {
        int n = x.shape()[0];
        NDArray invStd = statistics.invStd();
        NDArray normalized = x.sub(statistics.mean()).mul(invStd);
        NDArray sumGrad = grad.sum(0);
        NDArray sumGradNormalized = grad.mul(normalized).sum(0);
        if (gradients.input() != null) {
            NDArray scale = weight != null ? invStd.mul(weight) : invStd;
            gradients.input().copyFrom(grad.sub(sumGrad.div(n)).sub(normalized.mul(sumGradNormalized.div(n))).mul(scale));
        }
        if (gradients.weight() != null) {
            gradients.weight().copyFrom(sumGradNormalized);
        }
        if (gradients.bias() != null) {
            gradients.bias().copyFrom(sumGrad);
        }
    }

    // ---------------------------------------------------------------- batch normalization over channels of images

    /**
     * Batch normalization with batch statistics of x [N, C, L] per channel over its N x L values
     * (an [N, C, H, W] batch viewed as [N, C, H W], so that no transposing copy is needed):
     * <pre>
     *   mean_c = &Sigma;&#x2099;&#x2097; x_ncl / (N L)      var_c = &Sigma;&#x2099;&#x2097; (x_ncl - mean_c)&sup2; / (N L)      invStd_c = 1 / sqrt(var_c + eps)
     *   out_ncl = (x_ncl - mean_c) invStd_c weight_c + bias_c
     * </pre>
     * Writes {@code out} [N, C, L] and the {@code statistics} [C]; {@code weight} and {@code bias}
     * [C] may be null (1 and 0).
     */
    default void spatialBatchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out,
                                         BatchNormStatistics statistics) {
        int channels = x.shape()[1];
        int[] dims = {0, 2};
        NDArray batchMean = x.mean(dims, true);
        NDArray centered = x.sub(batchMean);
        NDArray inverse = centered.mul(centered).mean(dims, true).add(eps).rsqrt();
        NDArray y = centered.mul(inverse);
        if (weight != null) {
            y = y.mul(weight.reshape(channels, 1));
        }
        if (bias != null) {
            y = y.add(bias.reshape(channels, 1));
        }
        out.copyFrom(y);
        statistics.mean().copyFrom(batchMean.reshape(channels));
        statistics.invStd().copyFrom(inverse.reshape(channels));
    }

    /**
     * The gradients of {@link #spatialBatchNormForward} from {@code grad} = dL/dout [N, C, L]: the
     * formulas of {@link #batchNormBackward} with the sums over N and L and M = N L in place of N.
     * {@code gradients.input()} is [N, C, L]; {@code weight} may be null (1).
     */
    default void spatialBatchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                          BatchNormGradients gradients) {
        int channels = x.shape()[1];
        int count = x.shape()[0] * x.shape()[2];
        int[] dims = {0, 2};
        NDArray invStd = statistics.invStd().reshape(channels, 1);
        NDArray normalized = x.sub(statistics.mean().reshape(channels, 1)).mul(invStd);
        NDArray sumGrad = grad.sum(dims, true);
        NDArray sumGradNormalized = grad.mul(normalized).sum(dims, true);
        if (gradients.input() != null) {
            NDArray scale = weight != null ? invStd.mul(weight.reshape(channels, 1)) : invStd;
            gradients.input().copyFrom(grad.sub(sumGrad.div(count)).sub(normalized.mul(sumGradNormalized.div(count))).mul(scale));
        }
        if (gradients.weight() != null) {
            gradients.weight().copyFrom(sumGradNormalized.reshape(channels));
        }
        if (gradients.bias() != null) {
            gradients.bias().copyFrom(sumGrad.reshape(channels));
        }
    }
}
