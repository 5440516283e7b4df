package dev.descent.optim;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.QR;
import dev.descent.core.linalg.SingularMatrixException;
import java.util.List;

/**
 * The loop shared by {@link GaussNewton}, {@link Levenberg} and {@link LevenbergMarquardt} for
 * min F(&theta;) = &frac12;&Vert;r(&theta;)&Vert;&sup2;, with the Jacobian J of r from autograd (one backward
 * pass per residual) and g = J&#x1D40;r:
 * <pre>
 *   solve (J&#x1D40;J + &lambda; D) &delta; = &minus;g                (D from the subclass; none for Gauss-Newton)
 *   &rho; &larr; (F(&theta;) &minus; F(&theta; + &delta;)) / (&minus;g&#x1D40;&delta; &minus; &frac12; &delta;&#x1D40;J&#x1D40;J &delta;)   actual over predicted reduction
 *   &rho; &gt; 0:  &theta; &larr; &theta; + &delta;,  &lambda; &larr; &lambda; &middot; max(1/3, 1 &minus; (2&rho; &minus; 1)&sup3;),  &nu; &larr; 2
 *   &rho; &le; 0:  &lambda; &larr; &lambda; &nu;,  &nu; &larr; 2&nu;                    (Nielsen's update, a trust-region rule)
 * </pre>
 * Gauss-Newton has no &lambda;: it solves J &delta; = &minus;r by QR and halves a step that does not
 * decrease F. Stops on MINPACK's ftol, xtol and gtol tests or the evaluation budget
 * ({@link LeastSquaresOptions}); the result says which.
 */
public abstract class LeastSquaresSolver {
    private final String name;
    private final ParameterVector theta;
    private final LeastSquaresOptions options;

    LeastSquaresSolver(String name, List<? extends Tensor> params, LeastSquaresOptions options) {
        this.name = name;
        for (Tensor p : params) {
            if (!p.requiresGrad()) {
                throw new IllegalArgumentException(name + ": every parameter must require grad (the Jacobian comes from autograd)");
            }
        }
        this.theta = ParameterVector.of(params);
        this.options = options;
    }

    /**
     * The diagonal D of the damping term for this iteration, given diag(J&#x1D40;J) and the last
     * D (null at the first iteration); null means no damping (Gauss-Newton).
     */
    abstract double[] damping(double[] normalDiagonal, double[] previous);

    /** Told of every accepted step; returning false stops the solve (reason {@code STOPPED}). */
    @FunctionalInterface
    public interface Listener {
        boolean onStep(int iterations, int evaluations, double residualSumOfSquares, double[] parameters);
    }

    private Listener listener;

    /** Sets the listener told of every accepted step (null for none); returns this solver. */
    public LeastSquaresSolver onStep(Listener listener) {
        this.listener = listener;
        return this;
    }

    /** The solver's name in messages. */
    public String name() {
        return name;
    }

    /** Minimizes &frac12;&Vert;r&Vert;&sup2; from the parameters' current values; leaves the solution in them. */
    public LeastSquaresResult solve(ResidualFunction residuals) {
        int p = theta.size();
        int maxEvaluations = options.maxEvaluations > 0 ? options.maxEvaluations : 200 * (p + 1);
        double[] x = theta.values();
        double[] r = evaluate(residuals);
        double[][] jacobian = jacobian(residuals, r.length);
        int evaluations = 1;
        int jacobians = 1;
        int iterations = 0;
        double rss = Vectors.dot(r, r);
        double lambda = -1;
        double nu = 2;
        double[] scale = null;
        LeastSquaresResult.StopReason reason = null;
        while (reason == null) {
            if (rss == 0) {
                reason = LeastSquaresResult.StopReason.ZERO_RESIDUAL;
                break;
            }
            double[] diagonal = JacobianAlgebra.columnSquares(jacobian); // diag(J^T J)
            double[] gradient = JacobianAlgebra.transposeTimes(jacobian, r);
            if (JacobianAlgebra.largestCosine(diagonal, r, gradient) <= options.gtol) {
                reason = LeastSquaresResult.StopReason.GTOL;
                break;
            }
            scale = damping(diagonal, scale);
            if (scale != null && lambda < 0) {
                double ratio = 0;
                for (int j = 0; j < p; j++) {
                    ratio = Math.max(ratio, diagonal[j] / scale[j]);
                }
                lambda = options.initialDamping * (ratio > 0 ? ratio : 1);
            }
            // Try steps until one decreases F (accepted) or a stopping test fires.
            double halving = 1;
            while (true) {
                if (evaluations >= maxEvaluations) {
                    reason = LeastSquaresResult.StopReason.MAX_EVALUATIONS;
                    break;
                }
                double[] step = scale == null ? gaussNewtonStep(jacobian, r, halving)
                        : JacobianAlgebra.dampedStep(jacobian, r, lambda, scale);
                if (step != null && scale != null && options.geodesicAcceleration) {
                    step = accelerate(residuals, x, r, jacobian, step, lambda, scale);
                    evaluations++;
                }
                if (step == null) {
                    lambda = Math.max(lambda, Double.MIN_NORMAL) * nu;
                    nu *= 2;
                    if (!(lambda < 1e300)) {
                        reason = LeastSquaresResult.StopReason.PRECISION_LIMIT;
                        break;
                    }
                    continue;
                }
                double[] linearized = r.clone(); // r + J delta, the model's residual after the step
                for (int i = 0; i < linearized.length; i++) {
                    linearized[i] += Vectors.dot(jacobian[i], step);
                }
                double predicted = rss - Vectors.dot(linearized, linearized);
                double[] trial = Vectors.along(x, 1, step);
                theta.set(trial);
                double[] trialResiduals = evaluate(residuals);
                evaluations++;
                iterations++;
                double trialRss = Vectors.dot(trialResiduals, trialResiduals);
                double actual = Double.isFinite(trialRss) ? rss - trialRss : Double.NEGATIVE_INFINITY;
                double rho = predicted > 0 ? actual / predicted : (actual > 0 ? 1 : -1);
                double[][] trialJacobian = actual > 0 ? jacobian(residuals, r.length) : null;
                // A point where the Jacobian overflows cannot be stepped from: treat it as a failed step.
                boolean accept = trialJacobian != null && JacobianAlgebra.finite(trialJacobian);
                if (trialJacobian != null) {
                    jacobians++;
                }
                // Both convergence tests judge accepted steps only: a rejected step is short because lambda is
                // large, which says nothing about being near a minimum. xtol is MINPACK's relative change between
                // two consecutive iterates; ftol its relative actual and predicted reductions of the sum of squares.
                // Nor does a step kept short by the damping: the tests apply once lambda D is below the curvature
                // J^T J in every coordinate, so that the step is within a factor 2 of the Gauss-Newton step.
                boolean judged = accept && dampingNegligible(lambda, scale, diagonal);
                boolean small = judged && Vectors.norm(step) <= options.xtol * (Vectors.norm(x) + options.xtol);
                boolean flat = judged && actual <= options.ftol * rss && predicted <= options.ftol * rss && rho <= 2;
                if (!accept) {
                    theta.set(x);
                } else {
                    x = trial;
                    r = trialResiduals;
                    rss = trialRss;
                    jacobian = trialJacobian;
                    if (scale != null) {
                        lambda *= Math.max(1.0 / 3, 1 - Math.pow(2 * rho - 1, 3));
                        nu = 2;
                    }
                    if (flat) {
                        reason = LeastSquaresResult.StopReason.FTOL;
                    } else if (small) {
                        reason = LeastSquaresResult.StopReason.XTOL;
                    }
                    if (listener != null && !listener.onStep(iterations, evaluations, rss, x.clone()) && reason == null) {
                        reason = LeastSquaresResult.StopReason.STOPPED;
                    }
                    break;
                }
                if (scale == null) {
                    halving /= 2;
                    if (halving < 1e-10) {
                        reason = LeastSquaresResult.StopReason.PRECISION_LIMIT;
                        break;
                    }
                } else {
                    lambda *= nu;
                    nu *= 2;
                    if (!(lambda < 1e300)) {
                        reason = LeastSquaresResult.StopReason.PRECISION_LIMIT;
                        break;
                    }
                }
            }
        }
        theta.set(x);
        return new LeastSquaresResult(x, JacobianAlgebra.standardErrors(jacobian, rss), rss, iterations, evaluations, jacobians, reason);
    }

    /**
     * Geodesic acceleration (Transtrum and Sethna, 2012): the second-order correction a from the
     * directional second derivative of r along the step v, estimated by a finite difference,
     * <pre>
     *   r_vv &asymp; (2/h) ((r(&theta; + h v) &minus; r(&theta;)) / h &minus; J v),   h = 0.1
     *   (J&#x1D40;J + &lambda;D) a = &minus;J&#x1D40; r_vv,   step = v + a/2
     * </pre>
     * refused (null, so &lambda; grows) when 2&Vert;a&Vert;/&Vert;v&Vert; &gt; 0.75: the path bends too much for
     * the step to be trusted. It keeps long steps on curved valleys from flying off them.
     */
    private double[] accelerate(ResidualFunction residuals, double[] x, double[] r, double[][] jacobian, double[] velocity,
                                double lambda, double[] scale) {
        double h = 0.1;
        theta.set(Vectors.along(x, h, velocity));
        double[] shifted = evaluate(residuals);
        theta.set(x);
        double[] secondDerivative = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            secondDerivative[i] = 2 / h * ((shifted[i] - r[i]) / h - Vectors.dot(jacobian[i], velocity));
            if (!Double.isFinite(secondDerivative[i])) {
                return null; // the probe left the model's domain: a shorter step is needed
            }
        }
        double[] acceleration = JacobianAlgebra.dampedStep(jacobian, secondDerivative, lambda, scale);
        if (acceleration == null || !(2 * Vectors.norm(acceleration) <= 0.75 * Vectors.norm(velocity))) {
            return null;
        }
        return Vectors.along(velocity, 0.5, acceleration);
    }

    private double[] evaluate(ResidualFunction residuals) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return check(residuals.compute()).data().toDoubleArray();
        }
    }

    private Tensor check(Tensor r) {
        if (r == null || r.size() == 0) {
            throw new IllegalArgumentException(name + ": the residual function returned no residuals");
        }
        return r;
    }

    /** J, one row per residual: the gradient of r_i, by a backward pass seeded with e_i. */
    private double[][] jacobian(ResidualFunction residuals, int m) {
        Tensor r;
        try (GradMode.Scope ignored = GradMode.enableGrad()) {
            r = check(residuals.compute()).reshape(-1);
        }
        if (r.size() != m) {
            throw new IllegalStateException(name + ": the residual function returned " + r.size() + " residuals, earlier " + m);
        }
        Tensor[] inputs = theta.parameters().toArray(new Tensor[0]);
        double[][] rows = new double[m][];
        if (!r.requiresGrad()) {
            for (int i = 0; i < m; i++) {
                rows[i] = new double[theta.size()];
            }
            return rows;
        }
        for (int i = 0; i < m; i++) {
            NDArray seed = NDArray.zeros(r.dtype(), m);
            seed.set(1, i);
            rows[i] = theta.concatenate(Autograd.grad(new Tensor[] {r}, inputs, new Tensor[] {Tensor.of(seed)}, false, true));
        }
        return rows;
    }

    private static boolean dampingNegligible(double lambda, double[] scale, double[] diagonal) {
        if (scale == null) {
            return true;
        }
        for (int j = 0; j < scale.length; j++) {
            if (lambda * scale[j] > diagonal[j]) {
                return false;
            }
        }
        return true;
    }

    /** The Gauss-Newton step J delta = -r by QR (better conditioned than the normal equations), times {@code fraction}. */
    private double[] gaussNewtonStep(double[][] jacobian, double[] r, double fraction) {
        int m = jacobian.length;
        int p = jacobian[0].length;
        if (m < p) {
            throw new IllegalArgumentException(name + ": " + m + " residuals for " + p + " parameters; Gauss-Newton needs at least as many"
                    + " residuals as parameters (use LevenbergMarquardt)");
        }
        try {
            return Vectors.scaled(-fraction, QR.factor(NDArray.of(JacobianAlgebra.flatten(jacobian, 0), m, p)).leastSquares(r));
        } catch (SingularMatrixException e) {
            throw new SingularMatrixException(name + ": the " + m + "x" + p + " Jacobian is rank deficient at the current parameters,"
                    + " so the Gauss-Newton step is not defined; use Levenberg or LevenbergMarquardt");
        }
    }

}
