package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
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
public final class Adamax extends Optimizer {

    /** Adamax's hyperparameters. */
    public static final class Options extends AdaptiveMomentOptions<Options> {
    }

    public static Options options() {
        return new Options();
    }

    private static Hyperparameters defaults() {
        return Hyperparameters.of("lr", 2e-3, "betas", new double[] {0.9, 0.999}, "eps", 1e-8, "weightDecay", 0, "maximize", false);
    }

    public Adamax(List<? extends Tensor> params, Options options) {
        super("Adamax", defaults(), options, single(params));
    }

    public Adamax(Options defaults, ParamGroup... groups) {
        super("Adamax", defaults(), defaults, List.of(groups));
    }

    @Override
    protected void validate(ParamGroup group) {
        requireAtLeastZero(group, "lr");
        requireAtLeastZero(group, "eps");
        requireBetas(group);
        requireAtLeastZero(group, "weightDecay");
    }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray average = stateArray(state, "exp_avg", param::zerosLike);
        NDArray infinityNorm = stateArray(state, "exp_inf", param::zerosLike);
        double step = incrementStep(state);
        double[] betas = group.getPair("betas");
        NDArray g = withWeightDecay(grad, param, group);
        average.muli(betas[0]).addi(g.mul(1 - betas[0]));
        infinityNorm.copyFrom(infinityNorm.muli(betas[1]).maximum(g.abs().addi(group.getDouble("eps"))));
        double correctedRate = group.lr() / (1 - Math.pow(betas[0], step));
        param.addcdivi(average, infinityNorm, -correctedRate);
    }
}
