package dev.descent.optim;

import dev.descent.core.NDArray;
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
}
