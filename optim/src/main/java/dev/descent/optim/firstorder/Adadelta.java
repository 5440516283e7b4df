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
 * Adadelta (Zeiler, 2012), as {@code torch.optim.Adadelta}: steps scaled by the ratio of running
 * root-mean-squares of past updates and of gradients.
 * <pre>
 *   g &larr; &nabla;f(&theta;) + weightDecay &middot; &theta;
 *   v &larr; &rho; v + (1 &minus; &rho;) g&sup2;
 *   &Delta; &larr; &radic;(u + eps) / &radic;(v + eps) &middot; g
 *   u &larr; &rho; u + (1 &minus; &rho;) &Delta;&sup2;
 *   &theta; &larr; &theta; &minus; lr &middot; &Delta;
 * </pre>
 * Defaults: lr 1.0, rho 0.9, eps 1e-6, weightDecay 0.
 */
public final class Adadelta extends ElementwiseOptimizer {
    public static final Hyperparameter<Double> RHO = Hyperparameter.number("rho", 0.9, Hyperparameter.Rule.UNIT_INTERVAL,
            "decay rate of the running averages of squared gradients and updates");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("Adadelta", lr(1.0), RHO, EPS.withDefault(1e-6), WEIGHT_DECAY, MAXIMIZE);

    /**
     * The setter of {@code rho}, which {@link NesterovRMSprop} shares.
     *
     * @param <T> the concrete options type, so that setters chain
     */
    public interface WithRho<T> extends Settable<T> {
        /** The decay rate of the running averages. */
        default T rho(double value) { return set(RHO, value); }
    }

    /** Adadelta's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> implements WithRho<Options>, WithEps<Options>,
            WithWeightDecay<Options>, WithMaximize<Options> {
        Options() { super(SPEC); }
    }

    public static Options options() { return new Options(); }

    public Adadelta(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public Adadelta(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray squareAverage = stateArray(state, "square_avg", param::zerosLike);
        NDArray accumulatedDelta = stateArray(state, "acc_delta", param::zerosLike);
        incrementStep(state);
        double rho = group.get(RHO);
        double eps = group.get(EPS);
        NDArray g = withWeightDecay(grad, param, group);
        squareAverage.muli(rho).addcmuli(g, g, 1 - rho);
        NDArray std = squareAverage.add(eps).sqrt();
        NDArray delta = accumulatedDelta.add(eps).sqrt().divi(std).muli(g);
        accumulatedDelta.muli(rho).addcmuli(delta, delta, 1 - rho);
        param.subi(delta.mul(group.lr()));
    }
}
