package dev.descent.optim;

import dev.descent.core.NDArray;
import java.util.Map;

/** The update Adam and AdamW share, once AdamW has applied its decoupled weight decay. */
final class AdamKernels {
    private AdamKernels() {
    }

    /** Adam's update with L2 {@code weightDecay} through the gradient and {@code decoupledDecay} on the parameter (AdamW). */
    static void adamStep(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state, double weightDecay,
                         double decoupledDecay) {
        double lr = group.lr();
        NDArray average = Optimizer.stateArray(state, "exp_avg", param::zerosLike);
        NDArray squareAverage = Optimizer.stateArray(state, "exp_avg_sq", param::zerosLike);
        double step = Optimizer.incrementStep(state);
        double[] betas = group.getPair("betas");
        double stepSize = lr / (1 - Math.pow(betas[0], step));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(betas[1], step));
        NDArray maximum = group.getBoolean("amsgrad") ? Optimizer.stateArray(state, "max_exp_avg_sq", param::zerosLike) : null;
        param.backend().adamUpdate(param, grad, average, squareAverage, maximum, stepSize, biasCorrection2Sqrt, betas[0],
                betas[1], group.getDouble("eps"), weightDecay, decoupledDecay);
    }
}
