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
 * AdamW (Loshchilov and Hutter, 2019), as {@code torch.optim.AdamW}: Adam with the weight decay
 * applied to the parameters directly instead of through the gradient.
 * <pre>
 *   &theta; &larr; &theta; (1 &minus; lr &middot; weightDecay)
 *   then the {@link Adam} update with g = &nabla;f(&theta;)
 * </pre>
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 1e-2, amsgrad false.
 */
public final class AdamW extends AdaptiveMomentOptimizer {
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("AdamW", lr(1e-3), BETAS, EPS,
            WEIGHT_DECAY.withDefault(1e-2), Adam.AMSGRAD, MAXIMIZE, Adam.CAPTURABLE);

    /** AdamW's hyperparameters. */
    public static final class Options extends AdaptiveMomentOptions<Options>
            implements AdaptiveMomentOptions.WithAmsgradAndCapturable<Options> {
        Options() { super(SPEC); }
    }

    public static Options options() { return new Options(); }

    public AdamW(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public AdamW(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        adamStep(param, grad, group, state, 0, group.get(WEIGHT_DECAY));
    }
}
