package dev.descent.optim.leastsquares;

import dev.descent.autograd.Tensor;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParameterVector;
import dev.descent.optim.ResidualClosure;
import dev.descent.optim.StepResult;
import dev.descent.optim.StopReason;
import java.util.ArrayList;
import java.util.List;

/**
 * A least-squares fit as a statistician reports it, taken at the parameters' current values after
 * an optimizer's step: the parameters, their standard errors s &radic;diag((J&#x1D40;J)&#x207B;&sup1;) with
 * s&sup2; = rss / (m &minus; p) (NaN when m &le; p or J is rank deficient), the residual sum of squares
 * &Vert;r&Vert;&sup2;, and the step's iterations, evaluations and stop reason. Any optimizer can have
 * made the fit; least-squares ones are the usual choice.
 *
 * <pre>{@code
 * Optimizer lm = Optimizers.create("lm", List.of(b1, b2));
 * ResidualClosure residuals = () -> b1.mul(b2.mul(x).neg().exp().neg().add(1)).sub(y);
 * lm.step(residuals);
 * LeastSquaresResult fit = LeastSquaresResult.of(lm, residuals);
 * System.out.println(fit.stopReason().description() + ", rss " + fit.residualSumOfSquares());
 * }</pre>
 */
public record LeastSquaresResult(double[] parameters, double[] standardErrors, double residualSumOfSquares, int iterations,
                                 int evaluations, StopReason stopReason) {

    /** The fit {@code optimizer}'s parameters hold, for the residuals {@code residuals} (one Jacobian evaluation). */
    public static LeastSquaresResult of(Optimizer optimizer, ResidualClosure residuals) {
        List<Tensor> params = new ArrayList<>();
        optimizer.paramGroups().forEach(group -> params.addAll(group.params()));
        ParameterVector theta = ParameterVector.of(params);
        double[][] jacobian = JacobianAlgebra.jacobian(optimizer.name(), theta, residuals, -1);
        double[] r;
        try (var ignored = dev.descent.autograd.GradMode.noGrad()) {
            r = residuals.residuals().data().toDoubleArray();
        }
        double rss = Vectors.dot(r, r);
        StepResult last = optimizer.lastStep();
        return new LeastSquaresResult(theta.values(), JacobianAlgebra.standardErrors(jacobian, rss), rss, last == null ? 0 : last.iterations(),
                last == null ? 0 : last.evaluations(), last == null ? null : last.stopReason());
    }

    /** Whether the step ended at a minimum (every reason but a spent budget). */
    public boolean converged() {
        return stopReason != null && stopReason.converged();
    }
}
