package dev.descent.optim.firstorder;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels.AdamArrays;
import dev.descent.core.FusedKernels.AdamStep;
import dev.descent.core.FusedKernels.CapturableAdamStep;
import dev.descent.core.NDArray;
import dev.descent.optim.CommonHyperparameters;
import dev.descent.optim.ElementwiseOptimizer;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * The base of the Adam family (Adam, AdamW, Adamax, NAdam, RAdam): exponential moving averages of
 * the gradient and of its square with decay rates {@code betas} = (&beta;&#8321;, &beta;&#8322;),
 * <pre>
 *   m &larr; &beta;&#8321; m + (1 &minus; &beta;&#8321;) g          (state exp_avg)
 *   v &larr; &beta;&#8322; v + (1 &minus; &beta;&#8322;) g&sup2;         (state exp_avg_sq)
 * </pre>
 * and the hyperparameters they share: lr, betas, eps, weightDecay, maximize. Each member's
 * {@code update} uses the moments its own way (bias correction, infinity norm, Nesterov
 * momentum, rectification).
 */
public abstract class AdaptiveMomentOptimizer extends ElementwiseOptimizer {
    public static final Hyperparameter<double[]> BETAS = Hyperparameter.pair("betas", 0.9, 0.999, Hyperparameter.Rule.DECAY_RATE,
            "decay rates of the first and second moment estimates");

    protected AdaptiveMomentOptimizer(HyperparameterSpec spec, OptimizerOptions<?> options, List<ParamGroup> groups) {
        super(spec, options, groups);
    }

    /** m &larr; &beta;&#8321; m + (1 &minus; &beta;&#8321;) g, in the state's {@code exp_avg}; returns m. */
    protected static NDArray updateFirstMoment(Map<String, NDArray> state, NDArray param, NDArray g, double beta1) {
        NDArray average = stateArray(state, "exp_avg", param::zerosLike);
        return average.muli(beta1).addi(g.mul(1 - beta1));
    }

    /** v &larr; &beta;&#8322; v + (1 &minus; &beta;&#8322;) g&sup2;, in the state's {@code exp_avg_sq}; returns v. */
    protected static NDArray updateSecondMoment(Map<String, NDArray> state, NDArray param, NDArray g, double beta2) {
        NDArray squareAverage = stateArray(state, "exp_avg_sq", param::zerosLike);
        return squareAverage.muli(beta2).addcmuli(g, g, 1 - beta2);
    }

    /**
     * Adam's update with L2 {@code weightDecay} through the gradient and {@code decoupledWeightDecay}
     * on the parameter (AdamW's &theta; (1 &minus; lr &middot; weightDecay); 0 for Adam). With the
     * group's {@code capturable} set, the step count and the learning rate live on the parameter's
     * device and the kernel reads them there, so the step can be captured into a CUDA graph.
     */
    protected static void adamStep(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state, double weightDecay,
                         double decoupledWeightDecay) {
        double lr = group.lr();
        NDArray average = stateArray(state, "exp_avg", param::zerosLike);
        NDArray squareAverage = stateArray(state, "exp_avg_sq", param::zerosLike);
        double[] betas = group.get(AdaptiveMomentOptimizer.BETAS);
        NDArray maximum = group.get(Adam.AMSGRAD) ? stateArray(state, "max_exp_avg_sq", param::zerosLike) : null;
        if (group.get(Adam.CAPTURABLE)) {
            NDArray step = stateArray(state, "step", () -> NDArray.scalar(DType.FLOAT64, 0).to(param.device()));
            step.addi(1);
            param.backend().fused().capturableAdamUpdate(new AdamArrays(param, grad, average, squareAverage, maximum),
                    new CapturableAdamStep(group.deviceLr(param.device()), step, betas[0], betas[1], group.get(CommonHyperparameters.EPS),
                            weightDecay, decoupledWeightDecay));
            return;
        }
        double step = incrementStep(state);
        double stepSize = lr / (1 - Math.pow(betas[0], step));
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(betas[1], step));
        param.backend().fused().adamUpdate(new AdamArrays(param, grad, average, squareAverage, maximum),
                new AdamStep(stepSize, biasCorrection2Sqrt, betas[0], betas[1], group.get(CommonHyperparameters.EPS), weightDecay,
                        1 - lr * decoupledWeightDecay));
    }
}
