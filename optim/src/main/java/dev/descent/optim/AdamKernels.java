package dev.descent.optim;

import dev.descent.core.NDArray;
import java.util.Map;

/** The update Adam and AdamW share, once AdamW has applied its decoupled weight decay. */
final class AdamKernels {
    private AdamKernels() {
    }

    static void adamStep(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state, double lr) {
        NDArray average = Optimizer.stateArray(state, "exp_avg", param::zerosLike);
        NDArray squareAverage = Optimizer.stateArray(state, "exp_avg_sq", param::zerosLike);
        double step = Optimizer.incrementStep(state);
        double[] betas = group.getPair("betas");
        average.muli(betas[0]).addi(grad.mul(1 - betas[0]));
        squareAverage.muli(betas[1]).addcmuli(grad, grad, 1 - betas[1]);
        double stepSize = lr / (1 - Math.pow(betas[0], step));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(betas[1], step));
        NDArray second = squareAverage;
        if (group.getBoolean("amsgrad")) {
            NDArray maximum = Optimizer.stateArray(state, "max_exp_avg_sq", param::zerosLike);
            maximum.copyFrom(maximum.maximum(squareAverage));
            second = maximum;
        }
        NDArray denominator = second.sqrt().divi(biasCorrection2Sqrt).addi(group.getDouble("eps"));
        param.addcdivi(average, denominator, -stepSize);
    }
}
