package dev.descent.optim.firstorder;

import static dev.descent.optim.CommonHyperparameters.*;
import static dev.descent.optim.firstorder.AdaptiveMomentOptimizer.BETAS;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * Adamax (Kingma and Ba, 2015, section 7), as {@code torch.optim.Adamax}: Adam with the infinity norm.
 * <pre>
 *   t &larr; t + 1;  g &larr; &nabla;f(&theta;) + weightDecay &middot; &theta;
 *   m &larr; &beta;&#8321; m + (1 &minus; &beta;&#8321;) g
 *   u &larr; max(&beta;&#8322; u, |g| + eps)
 *   &theta; &larr; &theta; &minus; lr / (1 &minus; &beta;&#8321;&#7511;) &middot; m / u
 * </pre>
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0.
 */
public final class Adamax extends AdaptiveMomentOptimizer {
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("Adamax", lr(2e-3), BETAS, EPS, WEIGHT_DECAY, MAXIMIZE);

    /** Adamax's hyperparameters. */
    public static final class Options extends AdaptiveMomentOptions<Options> {
        Options() { super(SPEC); }
    }

    public static Options options() { return new Options(); }

    public Adamax(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public Adamax(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray infinityNorm = stateArray(state, "exp_inf", param::zerosLike);
        double step = incrementStep(state);
        double[] betas = group.get(BETAS);
        NDArray g = withWeightDecay(grad, param, group);
        NDArray average = updateFirstMoment(state, param, g, betas[0]);
        infinityNorm.copyFrom(infinityNorm.muli(betas[1]).maximum(g.abs().addi(group.get(EPS))));
        double correctedRate = group.lr() / (1 - Math.pow(betas[0], step));
        param.addcdivi(average, infinityNorm, -correctedRate);
    }
}
