package dev.descent.optim.firstorder;

import static dev.descent.optim.CommonHyperparameters.*;
import static dev.descent.optim.firstorder.AdaptiveMomentOptimizer.BETAS;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum and the momentum schedule
 * &mu;&#8348; = &beta;&#8321; (1 &minus; 0.96&#7511;&#7504;&#7496; / 2) (md = momentumDecay), as {@code torch.optim.NAdam}
 * in its corrected form (torch 2.0; torch 1.13 only in its {@code foreach} path):
 * <pre>
 *   t &larr; t + 1;  g &larr; &nabla;f(&theta;) + weightDecay &middot; &theta;
 *   &Pi; &larr; &Pi; &middot; &mu;&#8348;            (&Pi; a float64 state scalar: PyTorch's {@code mu_product} has the default dtype, float64 in float64 runs)
 *   m &larr; &beta;&#8321; m + (1 &minus; &beta;&#8321;) g;   v &larr; &beta;&#8322; v + (1 &minus; &beta;&#8322;) g&sup2;
 *   d &larr; &radic;v / &radic;(1 &minus; &beta;&#8322;&#7511;) + eps
 *   &theta; &larr; &theta; &minus; lr (1 &minus; &mu;&#8348;) / (1 &minus; &Pi;) &middot; g / d &minus; lr &mu;&#8348;&#8330;&#8321; / (1 &minus; &Pi; &mu;&#8348;&#8330;&#8321;) &middot; m / d
 * </pre>
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0, momentumDecay 4e-3.
 */
public final class NAdam extends AdaptiveMomentOptimizer {
    public static final Hyperparameter<Double> MOMENTUM_DECAY = Hyperparameter.number("momentumDecay", 4e-3, Hyperparameter.Rule.NON_NEGATIVE,
            "psi of the momentum schedule mu_t = beta1 (1 - 0.96^(t psi) / 2)");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("NAdam", lr(2e-3), BETAS, EPS, WEIGHT_DECAY, MOMENTUM_DECAY, MAXIMIZE);

    /** NAdam's hyperparameters. */
    public static final class Options extends AdaptiveMomentOptions<Options> {
        Options() { super(SPEC); }

        public Options momentumDecay(double value) { return set(MOMENTUM_DECAY, value); }
    }

    public static Options options() { return new Options(); }

    public NAdam(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public NAdam(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray muProduct = stateArray(state, "mu_product", () -> NDArray.scalar(DType.FLOAT64, 1));
        double step = incrementStep(state);
        double[] betas = group.get(BETAS);
        double momentumDecay = group.get(MOMENTUM_DECAY);
        double biasCorrection2 = 1 - Math.pow(betas[1], step);
        double mu = betas[0] * (1 - 0.5 * Math.pow(0.96, step * momentumDecay));
        double muNext = betas[0] * (1 - 0.5 * Math.pow(0.96, (step + 1) * momentumDecay));
        muProduct.muli(mu);
        double product = muProduct.item();
        NDArray g = withWeightDecay(grad, param, group);
        // torch 1.13's foreach order: m and v by mul then add, sqrt(v) then divided by sqrt(1 - beta2^t)
        NDArray average = updateFirstMoment(state, param, g, betas[0]);
        NDArray squareAverage = updateSecondMoment(state, param, g, betas[1]);
        NDArray denominator = squareAverage.sqrt().divi(Math.sqrt(biasCorrection2)).addi(group.get(EPS));
        param.addcdivi(g, denominator, -(group.lr() * (1 - mu) / (1 - product)));
        param.addcdivi(average, denominator, -(group.lr() * muNext / (1 - product * muNext)));
    }
}
