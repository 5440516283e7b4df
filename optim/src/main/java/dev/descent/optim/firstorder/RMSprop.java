package dev.descent.optim.firstorder;

import static dev.descent.optim.CommonHyperparameters.*;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.optim.ElementwiseOptimizer;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * RMSprop (Hinton, 2012), as {@code torch.optim.RMSprop}, optionally centered and with momentum:
 * <pre>
 *   g &larr; &nabla;f(&theta;) + weightDecay &middot; &theta;
 *   v &larr; &alpha; v + (1 &minus; &alpha;) g&sup2;
 *   centered: m &larr; &alpha; m + (1 &minus; &alpha;) g;  d &larr; &radic;(v &minus; m&sup2;) + eps
 *   otherwise: d &larr; &radic;v + eps
 *   momentum &gt; 0: b &larr; momentum &middot; b + g / d;  &theta; &larr; &theta; &minus; lr &middot; b
 *   otherwise: &theta; &larr; &theta; &minus; lr &middot; g / d
 * </pre>
 * Defaults: lr 0.01, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false.
 */
public final class RMSprop extends ElementwiseOptimizer {
    public static final Hyperparameter<Double> ALPHA = Hyperparameter.number("alpha", 0.99, Hyperparameter.Rule.NON_NEGATIVE,
            "smoothing constant of the running average of squared gradients");
    public static final Hyperparameter<Boolean> CENTERED = Hyperparameter.flag("centered", false,
            "normalize by an estimate of the gradient's variance instead of its second moment");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("RMSprop", lr(1e-2), ALPHA, EPS, WEIGHT_DECAY, MOMENTUM, CENTERED, MAXIMIZE);

    /** RMSprop's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> implements WithEps<Options>, WithWeightDecay<Options>,
            WithMomentum<Options>, WithMaximize<Options> {
        Options() { super(SPEC); }

        public Options alpha(double value) { return set(ALPHA, value); }

        public Options centered(boolean value) { return set(CENTERED, value); }
    }

    public static Options options() { return new Options(); }

    public RMSprop(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public RMSprop(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray squareAverage = stateArray(state, "square_avg", param::zerosLike);
        incrementStep(state);
        double alpha = group.get(ALPHA);
        NDArray g = withWeightDecay(grad, param, group);
        squareAverage.muli(alpha).addcmuli(g, g, 1 - alpha);
        NDArray average;
        if (group.get(CENTERED)) {
            NDArray gradAverage = stateArray(state, "grad_avg", param::zerosLike);
            gradAverage.muli(alpha).addi(g.mul(1 - alpha));
            average = squareAverage.addcmul(gradAverage, gradAverage, -1).sqrt();
        } else {
            average = squareAverage.sqrt();
        }
        average.addi(group.get(EPS));
        double momentum = group.get(MOMENTUM);
        if (momentum > 0) {
            NDArray buffer = stateArray(state, "momentum_buffer", param::zerosLike);
            buffer.muli(momentum).addcdivi(g, average, 1);
            param.subi(buffer.mul(group.lr()));
        } else {
            param.addcdivi(g, average, -group.lr());
        }
    }
}
