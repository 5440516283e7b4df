package dev.descent.optim.firstorder;

import static dev.descent.optim.CommonHyperparameters.*;

import dev.descent.autograd.Tensor;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import dev.descent.optim.ElementwiseOptimizer;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.LossClosure;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * RMSProp with Nesterov momentum, as written in Goodfellow, Bengio and Courville, <i>Deep
 * Learning</i>, Algorithm 8.6 (it has no {@code torch.optim} twin). With learning rate &epsilon;
 * ({@code lr}), decay rate &rho; ({@code rho}) and momentum &alpha; ({@code momentum}), each step:
 * <pre>
 *   &theta;&#771; &larr; &theta; + &alpha; v                       (interim point)
 *   g &larr; &nabla;f(&theta;&#771;)                            (the closure evaluates the loss there)
 *   r &larr; &rho; r + (1 &minus; &rho;) g &#8857; g
 *   v &larr; &alpha; v &minus; &epsilon; / &radic;(&delta; + r) &#8857; g
 *   &theta; &larr; &theta; + v
 * </pre>
 * The book writes &epsilon;/&radic;r; &delta; ({@code eps}, default 1e-6 as the book suggests for
 * Algorithm 8.5) keeps the division finite where a gradient coordinate has always been 0; set it
 * to 0 for the algorithm exactly as printed. Because the gradient is needed at the interim
 * point, only {@link #step(LossClosure)} is supported.
 * Defaults: lr 1e-3, rho 0.9, momentum 0.9, eps 1e-6.
 */
public final class NesterovRMSprop extends ElementwiseOptimizer {
    /** The decay rate &rho;, Adadelta's declaration (the same default, 0.9). */
    public static final Hyperparameter<Double> RHO = Adadelta.RHO;
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("NesterovRMSprop", lr(1e-3), RHO,
            Hyperparameter.number("momentum", 0.9, Hyperparameter.Rule.UNIT_INTERVAL, "momentum factor alpha"), EPS.withDefault(1e-6));

    /** The algorithm's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> implements Adadelta.WithRho<Options>, WithMomentum<Options>,
            WithEps<Options> {
        Options() { super(SPEC); }
    }

    public static Options options() { return new Options(); }

    public NesterovRMSprop(List<? extends Tensor> params, Options options) { super(SPEC, options, single(params)); }

    public NesterovRMSprop(Options defaults, ParamGroup... groups) { super(SPEC, defaults, List.of(groups)); }

    /** Refused: the gradient must be taken at the interim point, which only a closure can evaluate. */
    @Override
    public void step() {
        step(null);
    }

    /** Moves every parameter to its interim point, evaluates the closure there, then updates from the saved point. */
    @Override
    public Tensor step(LossClosure closure) {
        if (closure == null) {
            throw new IllegalStateException("NesterovRMSprop needs step(closure): the gradient is taken at the interim point"
                    + " theta + momentum * v, so the loss must be evaluated there");
        }
        lookAhead();
        Tensor loss = super.step(closure);
        // parameters that got no gradient are moved back from their interim point unchanged
        try (var ignored = dev.descent.autograd.GradMode.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                for (Tensor p : group.params()) {
                    NDArray theta = stateOf(p).remove("theta");
                    if (theta != null) {
                        p.data().copyFrom(theta);
                    }
                }
            }
        }
        return loss;
    }

    private void lookAhead() {
        try (var ignored = dev.descent.autograd.GradMode.noGrad()) {
            for (ParamGroup group : paramGroups()) {
                double momentum = group.get(MOMENTUM);
                for (Tensor p : group.params()) {
                    Map<String, NDArray> state = stateOf(p);
                    NDArray velocity = stateArray(state, "velocity", p.data()::zerosLike);
                    // the saved point outlives the closure's memory scope, if one is open
                    state.put("theta", MemoryScope.collect(p.data()::copy).withoutOwner());
                    p.data().addi(velocity.mul(momentum));
                }
            }
        }
    }

    @Override
    protected void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        NDArray theta = state.remove("theta");
        NDArray velocity = state.get("velocity");
        NDArray accumulator = stateArray(state, "square_avg", param::zerosLike);
        double rho = group.get(RHO);
        accumulator.muli(rho).addcmuli(grad, grad, 1 - rho);
        NDArray scaled = grad.mul(group.lr()).divi(accumulator.add(group.get(EPS)).sqrt());
        velocity.muli(group.get(MOMENTUM)).subi(scaled);
        param.copyFrom(theta.addi(velocity));
    }
}
