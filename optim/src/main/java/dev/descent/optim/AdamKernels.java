package dev.descent.optim;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels.AdamArrays;
import dev.descent.core.FusedKernels.AdamStep;
import dev.descent.core.FusedKernels.CapturableAdamStep;
import dev.descent.core.NDArray;
import java.util.Map;

/** The update Adam and AdamW share, once AdamW has applied its decoupled weight decay. */
final class AdamKernels {
    private AdamKernels() {
    }

    /**
     * Adam's update with L2 {@code weightDecay} through the gradient and {@code decoupledWeightDecay}
     * on the parameter (AdamW's &theta; (1 &minus; lr &middot; weightDecay); 0 for Adam). With the
     * group's {@code capturable} set, the step count and the learning rate live on the parameter's
     * device and the kernel reads them there, so the step can be captured into a CUDA graph.
     */
    static void adamStep(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state, double weightDecay,
                         double decoupledWeightDecay) {
        double lr = group.lr();
        NDArray average = Optimizer.stateArray(state, "exp_avg", param::zerosLike);
        NDArray squareAverage = Optimizer.stateArray(state, "exp_avg_sq", param::zerosLike);
        double[] betas = group.get(AdaptiveMomentOptimizer.BETAS);
        NDArray maximum = group.get(Adam.AMSGRAD) ? Optimizer.stateArray(state, "max_exp_avg_sq", param::zerosLike) : null;
        if (group.get(Adam.CAPTURABLE)) {
            NDArray step = Optimizer.stateArray(state, "step", () -> NDArray.scalar(DType.FLOAT64, 0).to(param.device()));
            step.addi(1);
            param.backend().fused().capturableAdamUpdate(new AdamArrays(param, grad, average, squareAverage, maximum),
                    new CapturableAdamStep(group.deviceLr(param.device()), step, betas[0], betas[1], group.get(CommonHyperparameters.EPS),
                            weightDecay, decoupledWeightDecay));
            return;
        }
        double step = ElementwiseOptimizer.incrementStep(state);
        double stepSize = lr / (1 - Math.pow(betas[0], step));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(betas[1], step));
        param.backend().fused().adamUpdate(new AdamArrays(param, grad, average, squareAverage, maximum),
                new AdamStep(stepSize, biasCorrection2Sqrt, betas[0], betas[1], group.get(CommonHyperparameters.EPS), weightDecay,
                        1 - lr * decoupledWeightDecay));
    }
}
