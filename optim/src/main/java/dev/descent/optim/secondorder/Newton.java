package dev.descent.optim.secondorder;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.Cholesky;
import dev.descent.core.linalg.NotPositiveDefiniteException;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.Hyperparameters;
import dev.descent.optim.LossClosure;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParameterVector;
import dev.descent.optim.ParameterVectorOptimizer;
import dev.descent.optim.StepResult;
import dev.descent.optim.StopReason;
import dev.descent.optim.leastsquares.Levenberg;
import dev.descent.optim.linesearch.BacktrackingLineSearch;
import dev.descent.optim.linesearch.LineSearchResult;
import dev.descent.optim.linesearch.Objective;
import java.util.List;

/**
 * Newton's method with the exact Hessian from autograd, for models of up to a few thousand
 * parameters (the Hessian takes n Hessian-vector products and n&sup2; numbers). One iteration
 * per {@link #step(LossClosure)}:
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
 *     newton.step(LossClosure.of(newton, () -> Losses.mse(model.forward(x), y)));
 *     if (newton.lastStep().stopReason() == StopReason.GRADIENT_TOLERANCE) break;
 * }
 * }</pre>
 * The closure is the ordinary one; Newton runs it so that its backward pass can be
 * differentiated again. Hyperparameters: lr 1 (the full step), lineSearch backtracking or none.
 */
public final class Newton extends ParameterVectorOptimizer {
    public static final Hyperparameter<String> LINE_SEARCH = Hyperparameter.choice("lineSearch", "backtracking",
            List.of("backtracking", "none"), "backtracking (Armijo) or none (always take the step)");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("Newton",
            Hyperparameter.number("lr", 1, Hyperparameter.Rule.POSITIVE, "step length tried first"), LINE_SEARCH);

    /** Newton's hyperparameters. */
    public static final class Options extends OptimizerOptions<Options> {
        Options() { super(SPEC); }

        /** {@code backtracking} (Armijo, the default) or {@code none} (always take the step). */
        public Options lineSearch(String value) { return set(LINE_SEARCH, value); }
    }

    private double gradientNorm = Double.NaN;
    private double damping = Double.NaN;
    private double stepLength = Double.NaN;

    public static Options options() { return new Options(); }

    public Newton(List<? extends Tensor> params, Options options) { super(SPEC, options, params); }

    /** &Vert;g&Vert; at the start of the last step. */
    public double gradientNorm() {
        return gradientNorm;
    }

    /** The damping &lambda; the last step's Hessian needed (0 when it was positive definite). */
    public double damping() {
        return damping;
    }

    /** The step length t the last step took. */
    public double stepLength() {
        return stepLength;
    }

    /** The dense Hessian is Newton's whole cost: refused, with the way out, before it exhausts the heap. */
    private void checkDenseFits(int n) {
        long available = Runtime.getRuntime().maxMemory();
        if (denseMatrixBytes(n) > available / 2.0 || (long) n * n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format("%s: a dense Hessian of %,d x %,d parameters needs %.3g GB (three copies"
                    + " while it is factored), more than half the Java heap (%.3g GB); use newtoncg, which needs Hessian-vector products"
                    + " only", name(), n, n, denseMatrixBytes(n) / 1e9, available / 1e9));
        }
    }

    /** 8n&sup2; bytes for each of the Hessian's columns, its symmetrized copy and the Cholesky factor. */
    @Override
    public double denseMatrixBytes(long parameters) {
        return 24.0 * parameters * parameters;
    }

    @Override
    public Tensor step(LossClosure closure) {
        ParameterVector theta = theta();
        Tensor first = evaluateLoss(closure, true);
        Curvature at = new Curvature(theta, first);
        gradientNorm = Vectors.norm(at.gradient);
        if (gradientNorm == 0) {
            damping = 0;
            stepLength = 0;
            recordStep(new StepResult(at.loss, at.loss, 1, 1, StopReason.GRADIENT_TOLERANCE));
            return first;
        }
        checkDenseFits(at.gradient.length);
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
        if (!(Vectors.dot(at.gradient, direction) < 0)) {
            // g^T delta = -g^T (H + lambda I)^-1 g underflowed to 0: no step can descend at working precision
            damping = lambda;
            stepLength = 0;
            recordStep(new StepResult(at.loss, at.loss, 1, 1, StopReason.GRADIENT_TOLERANCE));
            return first;
        }
        double[] x = theta.values();
        double t = paramGroups().get(0).lr();
        int evaluations = 1;
        double newLoss;
        Objective objective = (point, g) -> {
            theta.set(point);
            return evaluateLoss(closure).item();
        };
        if (paramGroups().get(0).get(LINE_SEARCH).equals("backtracking")) {
            LineSearchResult found = new BacktrackingLineSearch().search(objective, x, direction, t, at.loss, at.gradient);
            t = found.step();
            newLoss = found.value();
            evaluations += found.evaluations();
        } else {
            newLoss = objective.evaluate(Vectors.along(x, t, direction), new double[n]);
            evaluations++;
        }
        theta.set(Vectors.along(x, t, direction));
        damping = lambda;
        stepLength = t;
        recordStep(new StepResult(at.loss, newLoss, 1, evaluations, StopReason.MAX_ITERATIONS));
        return first;
    }
}
