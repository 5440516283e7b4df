package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
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
public final class SGD extends Optimizer {

    /** SGD's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> {
        public Options momentum(double value) {
            return set("momentum", value);
        }

        public Options dampening(double value) {
            return set("dampening", value);
        }

        public Options weightDecay(double value) {
            return set("weightDecay", value);
        }

        public Options nesterov(boolean value) {
            return set("nesterov", value);
        }

        public Options maximize(boolean value) {
            return set("maximize", value);
        }
    }

    public static Options options() {
        return new Options();
    }

    private static Hyperparameters defaults() {
        return Hyperparameters.of("lr", Double.NaN, "momentum", 0, "dampening", 0, "weightDecay", 0, "nesterov", false,
                "maximize", false);
    }

    public SGD(List<? extends Tensor> params, Options options) {
        super("SGD", defaults(), options, single(params));
    }

    public SGD(Options defaults, ParamGroup... groups) {
        super("SGD", defaults(), defaults, List.of(groups));
    }

    @Override
    protected void validate(ParamGroup group) {
        if (Double.isNaN(group.getDouble("lr"))) {
            throw new IllegalArgumentException("SGD: lr is required (SGD.options().lr(...))");
        }
        requireAtLeastZero(group, "lr");
        requireAtLeastZero(group, "momentum");
        requireAtLeastZero(group, "weightDecay");
        if (group.getBoolean("nesterov") && (group.getDouble("momentum") <= 0 || group.getDouble("dampening") != 0)) {
            throw new IllegalArgumentException("SGD: nesterov requires momentum > 0 and dampening = 0, got momentum "
                    + group.getDouble("momentum") + " and dampening " + group.getDouble("dampening"));
        }
    }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        double momentum = group.getDouble("momentum");
        NDArray buffer = null;
        boolean firstStep = false;
        if (momentum != 0) {
            firstStep = !state.containsKey("momentum_buffer");
            buffer = stateArray(state, "momentum_buffer", param::zerosLike);
        }
        param.backend().sgdUpdate(param, grad, buffer, firstStep, group.lr(), momentum, group.getDouble("dampening"),
                group.getDouble("weightDecay"), group.getBoolean("nesterov"));
    }
}
