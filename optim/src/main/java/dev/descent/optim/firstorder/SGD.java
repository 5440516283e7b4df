package dev.descent.optim.firstorder;

import static dev.descent.optim.CommonHyperparameters.*;

import dev.descent.autograd.Tensor;
import dev.descent.core.FusedKernels.SgdArrays;
import dev.descent.core.FusedKernels.SgdStep;
import dev.descent.core.NDArray;
import dev.descent.optim.ElementwiseOptimizer;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent (full-batch gradient descent when the batch is the whole data set),
 * with optional momentum, dampening, Nesterov momentum and L2 weight decay, as {@code torch.optim.SGD}:
 * <pre>
 *   g &larr; &nabla;f(&theta;) (negated when maximize) + weightDecay &middot; &theta;
 *   if momentum &ne; 0:
 *       b &larr; g at the first step, else momentum &middot; b + (1 &minus; dampening) &middot; g
 *       g &larr; g + momentum &middot; b   if nesterov, else b
 *   &theta; &larr; &theta; &minus; lr &middot; g
 * </pre>
 * The learning rate has no default. Nesterov needs momentum &gt; 0 and no dampening.
 */
public final class SGD extends ElementwiseOptimizer {
    public static final Hyperparameter<Double> DAMPENING = Hyperparameter.number("dampening", 0, Hyperparameter.Rule.ANY,
            "dampening of the gradient's contribution to the momentum buffer");
    public static final Hyperparameter<Boolean> NESTEROV = Hyperparameter.flag("nesterov", false, "Nesterov momentum");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("SGD", lr(Double.NaN), MOMENTUM,
            DAMPENING, WEIGHT_DECAY, NESTEROV, MAXIMIZE);

    /** SGD's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> implements WithMomentum<Options>,
            WithWeightDecay<Options>, WithMaximize<Options> {
        Options() { super(SPEC); }

        public Options dampening(double value) { return set(DAMPENING, value); }

        public Options nesterov(boolean value) { return set(NESTEROV, value); }
    }

    public static Options options() { return new Options(); }

    public SGD(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public SGD(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void validate(ParamGroup group) {
        double momentum = group.get(MOMENTUM);
        double dampening = group.get(DAMPENING);
        if (group.get(NESTEROV) && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov requires momentum > 0 and dampening = 0, got momentum " + momentum
                    + " and dampening " + dampening);
        }
    }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        double momentum = group.get(MOMENTUM);
        NDArray buffer = null;
        boolean firstStep = false;
        if (momentum != 0) {
            firstStep = !state.containsKey("momentum_buffer");
            buffer = stateArray(state, "momentum_buffer", param::zerosLike);
        }
        param.backend().fused().sgdUpdate(new SgdArrays(param, grad, buffer),
                new SgdStep(group.lr(), momentum, group.get(DAMPENING), group.get(WEIGHT_DECAY), group.get(NESTEROV), firstStep));
    }
}
