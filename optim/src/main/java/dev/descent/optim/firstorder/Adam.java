package dev.descent.optim.firstorder;

import static dev.descent.optim.CommonHyperparameters.*;
import static dev.descent.optim.firstorder.AdaptiveMomentOptimizer.BETAS;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba, 2015), as {@code torch.optim.Adam}, with bias correction and optional AMSGrad:
 * <pre>
 *   t &larr; t + 1;  g &larr; &nabla;f(&theta;) + weightDecay &middot; &theta;
 *   m &larr; &beta;&#8321; m + (1 &minus; &beta;&#8321;) g
 *   v &larr; &beta;&#8322; v + (1 &minus; &beta;&#8322;) g&sup2;
 *   amsgrad: v&#770; &larr; max(v&#770;, v), used in place of v below
 *   &theta; &larr; &theta; &minus; lr / (1 &minus; &beta;&#8321;&#7511;) &middot; m / (&radic;v / &radic;(1 &minus; &beta;&#8322;&#7511;) + eps)
 * </pre>
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weightDecay 0 (an L2 term; see {@link AdamW}), amsgrad false.
 */
public final class Adam extends AdaptiveMomentOptimizer {
    public static final Hyperparameter<Boolean> AMSGRAD = Hyperparameter.flag("amsgrad", false,
            "use the maximum of past second-moment estimates (AMSGrad)");
    public static final Hyperparameter<Boolean> CAPTURABLE = Hyperparameter.flag("capturable", false,
            "keep the step count and lr in device memory so the step can be captured into a CUDA graph");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("Adam", lr(1e-3), BETAS, EPS, WEIGHT_DECAY, AMSGRAD, MAXIMIZE, CAPTURABLE);

    /** Adam's hyperparameters. */
    public static final class Options extends AdaptiveMomentOptions<Options>
            implements AdaptiveMomentOptions.WithAmsgradAndCapturable<Options> {
        Options() { super(SPEC); }
    }

    public static Options options() { return new Options(); }

    public Adam(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public Adam(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        adamStep(param, grad, group, state, group.get(WEIGHT_DECAY), 0);
    }
}
