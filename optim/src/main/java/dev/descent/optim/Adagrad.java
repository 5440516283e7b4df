package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
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
public final class Adagrad extends Optimizer {

    /** Adagrad's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> {
        public Options lrDecay(double value) {
            return set("lrDecay", value);
        }
        public Options weightDecay(double value) {
            return set("weightDecay", value);
        }
        public Options initialAccumulatorValue(double value) {
            return set("initialAccumulatorValue", value);
        }
        public Options eps(double value) {
            return set("eps", value);
        }
        public Options maximize(boolean value) {
            return set("maximize", value);
        }
    }

    public static Options options() {
        return new Options();
    }

    private static Hyperparameters defaults() {
        return Hyperparameters.of("lr", 1e-2, "lrDecay", 0, "weightDecay", 0, "initialAccumulatorValue", 0, "eps", 1e-10, "maximize", false);
    }

    public Adagrad(List<? extends Tensor> params, Options options) {
        super("Adagrad", defaults(), options, single(params));
    }

    public Adagrad(Options defaults, ParamGroup... groups) {
        super("Adagrad", defaults(), defaults, List.of(groups));
    }

    @Override
    protected void validate(ParamGroup group) {
        requireAtLeastZero(group, "lr");
        requireAtLeastZero(group, "lrDecay");
        requireAtLeastZero(group, "weightDecay");
        requireAtLeastZero(group, "initialAccumulatorValue");
        requireAtLeastZero(group, "eps");
    }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray sum = stateArray(state, "sum", () -> param.zerosLike().fill(group.getDouble("initialAccumulatorValue")));
        double step = incrementStep(state);
        NDArray g = withWeightDecay(grad, param, group);
        double learningRate = group.lr() / (1 + (step - 1) * group.getDouble("lrDecay"));
        sum.addcmuli(g, g, 1);
        NDArray std = sum.sqrt().addi(group.getDouble("eps"));
        param.addcdivi(g, std, -learningRate);
    }
}
