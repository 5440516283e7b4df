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
 * Adagrad (Duchi et al., 2011), as {@code torch.optim.Adagrad}: per-coordinate steps shrink with
 * the accumulated squared gradients.
 * <pre>
 *   t &larr; t + 1;  g &larr; &nabla;f(&theta;) + weightDecay &middot; &theta;
 *   &eta; &larr; lr / (1 + (t &minus; 1) &middot; lrDecay)
 *   s &larr; s + g&sup2;            (s starts at initialAccumulatorValue)
 *   &theta; &larr; &theta; &minus; &eta; &middot; g / (&radic;s + eps)
 * </pre>
 * Defaults: lr 0.01, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10.
 */
public final class Adagrad extends ElementwiseOptimizer {
    public static final Hyperparameter<Double> LR_DECAY = Hyperparameter.number("lrDecay", 0, Hyperparameter.Rule.NON_NEGATIVE,
            "the step size is lr / (1 + (t - 1) lrDecay)");
    public static final Hyperparameter<Double> INITIAL_ACCUMULATOR_VALUE = Hyperparameter.number("initialAccumulatorValue", 0,
            Hyperparameter.Rule.NON_NEGATIVE, "starting value of the sum of squared gradients");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("Adagrad", lr(1e-2), LR_DECAY, WEIGHT_DECAY, INITIAL_ACCUMULATOR_VALUE,
            EPS.withDefault(1e-10), MAXIMIZE);

    /** Adagrad's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> implements WithWeightDecay<Options>, WithEps<Options>,
            WithMaximize<Options> {
        Options() { super(SPEC); }

        public Options lrDecay(double value) { return set(LR_DECAY, value); }

        public Options initialAccumulatorValue(double value) { return set(INITIAL_ACCUMULATOR_VALUE, value); }
    }

    public static Options options() { return new Options(); }

    public Adagrad(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public Adagrad(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray sum = stateArray(state, "sum", () -> param.zerosLike().fill(group.get(INITIAL_ACCUMULATOR_VALUE)));
        double step = incrementStep(state);
        NDArray g = withWeightDecay(grad, param, group);
        double learningRate = group.lr() / (1 + (step - 1) * group.get(LR_DECAY));
        sum.addcmuli(g, g, 1);
        NDArray std = sum.sqrt().addi(group.get(EPS));
        param.addcdivi(g, std, -learningRate);
    }
}
