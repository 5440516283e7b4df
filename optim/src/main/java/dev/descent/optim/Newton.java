package dev.descent.optim;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.Cholesky;
import dev.descent.core.linalg.NotPositiveDefiniteException;
import java.util.List;

/**
 * Newton's method with the exact Hessian from autograd, for models of up to a few thousand
 * parameters (the Hessian takes n Hessian-vector products and n&sup2; numbers):
 * <pre>
 *   g &larr; &nabla;f(&theta;),  H &larr; &nabla;&sup2;f(&theta;)
 *   &lambda; &larr; 0;  while H + &lambda;I is not positive definite (Cholesky fails):  &lambda; &larr; max(10&lambda;, 1e-8 &middot; max(1, max|H&#x1D62;&#x1D62;|))
 *   solve (H + &lambda;I) &delta; = &minus;g by Cholesky
 *   &theta; &larr; &theta; + t &delta;,  t = lr, halved until f decreases by Armijo's rule (lineSearch backtracking)
 * </pre>
 * The damping is the Levenberg fallback for a Hessian that is indefinite or singular: the
 * smallest tenfold step of &lambda; that makes the system positive definite, which turns &delta;
 * into a descent direction (g&#x1D40;&delta; = &minus;g&#x1D40;(H + &lambda;I)&#x207B;&sup1;g &lt; 0). On a quadratic with
 * positive definite Hessian one step with lr 1 lands on the minimizer.
 *
 * <pre>{@code
 * Newton newton = new Newton(model.parameters(), Newton.options());
 * for (int i = 0; i < 10; i++) {
 *     Newton.Step step = newton.step(() -> Losses.mse(model.forward(x), y));
 *     if (step.gradientNorm() < 1e-10) break;
 * }
 * }</pre>
 */
public final class Newton {

    /** Settings: lr (the full step is 1, the default) and lineSearch (backtracking, default, or none). */
    public static final class Options {
        double lr = 1;
        boolean lineSearch = true;

        public Options lr(double value) {
            if (!(value > 0)) {
                throw new IllegalArgumentException("Newton: lr must be positive, got " + value);
            }
            lr = value;
            return this;
        }

        /** {@code backtracking} (Armijo, the default) or {@code none} (always take the step). */
        public Options lineSearch(String value) {
            if (!value.equals("backtracking") && !value.equals("none")) {
                throw new IllegalArgumentException("Newton: lineSearch must be backtracking or none, got " + value);
            }
            lineSearch = value.equals("backtracking");
            return this;
        }
    }

    /**
     * One iteration's account: the loss and gradient norm before the step, the loss after, the
     * damping &lambda; the Hessian needed, the step length t, and the loss evaluations used.
     */
    public record Step(double loss, double gradientNorm, double newLoss, double damping, double stepLength, int evaluations) {
    }

    private final ParameterVector theta;
    private final Options options;

    public static Options options() {
        return new Options();
    }

    public Newton(List<? extends Tensor> params, Options options) {
        this.theta = ParameterVector.of(params);
        this.options = options;
    }

    /** One Newton step on {@code loss}; the parameters hold the new point afterwards. */
    public Step step(LossFunction loss) {
        Curvature at = new Curvature("Newton", theta, loss);
        double gradientNorm = Vectors.norm(at.gradient);
        if (gradientNorm == 0) {
            return new Step(at.loss, 0, at.loss, 0, 0, 1);
        }
        NDArray hessian = at.hessian();
        int n = hessian.shape(0);
        NDArray identity = NDArray.eye(DType.FLOAT64, n);
        double largest = Math.max(1, hessian.mul(identity).abs().max().item()); // the largest |H_ii|
        double lambda = 0;
        double[] direction;
        while (true) {
            try {
                direction = Cholesky.factor(lambda == 0 ? hessian : hessian.add(identity.mul(lambda))).solve(Vectors.scaled(-1, at.gradient));
                break;
            } catch (NotPositiveDefiniteException e) {
                lambda = lambda == 0 ? 1e-8 * largest : lambda * 10;
                if (!(lambda < 1e300)) {
                    throw new ArithmeticException("Newton: no damping makes the Hessian positive definite (it holds NaN or infinity?)");
                }
            }
        }
        double[] x = theta.values();
        double t = options.lr;
        int evaluations = 1;
        double newLoss;
        Objective objective = (point, g) -> {
            theta.set(point);
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                return loss.compute().item();
            }
        };
        if (options.lineSearch) {
            LineSearchResult found = new BacktrackingLineSearch().search(objective, x, direction, t, at.loss, at.gradient);
            t = found.step();
            newLoss = found.value();
            evaluations += found.evaluations();
        } else {
            newLoss = objective.evaluate(Vectors.along(x, t, direction), new double[n]);
            evaluations++;
        }
        theta.set(Vectors.along(x, t, direction));
        return new Step(at.loss, gradientNorm, newLoss, lambda, t, evaluations);
    }
}
