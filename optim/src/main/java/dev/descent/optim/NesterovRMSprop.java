package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
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
public final class NesterovRMSprop extends Optimizer {

    /** The algorithm's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> {
        public Options rho(double value) {
            return set("rho", value);
        }

        public Options momentum(double value) {
            return set("momentum", value);
        }

        public Options eps(double value) {
            return set("eps", value);
        }
    }

    public static Options options() {
        return new Options();
    }

    private static Hyperparameters defaults() {
        return Hyperparameters.of("lr", 1e-3, "rho", 0.9, "momentum", 0.9, "eps", 1e-6);
    }

    public NesterovRMSprop(List<? extends Tensor> params, Options options) {
        super("NesterovRMSprop", defaults(), options, single(params));
    }

    public NesterovRMSprop(Options defaults, ParamGroup... groups) {
        super("NesterovRMSprop", defaults(), defaults, List.of(groups));
    }

    @Override
    protected void validate(ParamGroup group) {
        requireAtLeastZero(group, "lr");
        requireUnitInterval(group, "rho");
        requireUnitInterval(group, "momentum");
        requireAtLeastZero(group, "eps");
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
                double momentum = group.getDouble("momentum");
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
        double rho = group.getDouble("rho");
        accumulator.muli(rho).addcmuli(grad, grad, 1 - rho);
        NDArray scaled = grad.mul(group.lr()).divi(accumulator.add(group.getDouble("eps")).sqrt());
        velocity.muli(group.getDouble("momentum")).subi(scaled);
        param.copyFrom(theta.addi(velocity));
    }
}
