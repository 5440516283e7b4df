package dev.descent.optim.leastsquares;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.LossClosure;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ParameterVector;
import dev.descent.optim.ParameterVectorOptimizer;
import dev.descent.optim.ResidualClosure;
import dev.descent.optim.StepResult;
import dev.descent.optim.StopReason;
import dev.descent.optim.secondorder.Newton;
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
 * decrease F. One {@link #step(LossClosure)} iterates until MINPACK's ftol, xtol or gtol test
 * holds, or the step's budget of iterations ({@code maxIter}, 0 for none) or residual
 * evaluations ({@code maxEvaluations}) is spent; {@link #lastStep()} says which. The closure returns
 * the residuals ({@link ResidualClosure}); &lambda;, &nu; and D carry over between steps as
 * optimizer state ({@code damping}, {@code nu}, {@code scale}).
 *
 * <p>Tolerances, with MINPACK's meanings (the defaults are tighter than MINPACK's &radic;&epsilon;,
 * so that a fit reproduces reference results to 6 significant digits and more): {@code ftol}
 * bounds the actual and predicted relative reduction of &Vert;r&Vert;&sup2; in a step; {@code xtol} the
 * step relative to &Vert;&theta;&Vert;; {@code gtol} the largest cosine between r and a column of J.
 * {@code initialDamping} &tau; sets the first &lambda; relative to the scale of J&#x1D40;J (Madsen,
 * Nielsen and Tingleff advise 1e-6 near the solution and up to 1 for a poor start, which is the
 * case a default must survive).
 *
 * <p>{@code solver} chooses how J is held. {@code dense} stores its m rows (one backward pass
 * each) and solves every step by QR. {@code cg} never forms it ({@link JacobianOperator}): the
 * products J v and J&#x1D40;u come from autograd, each step is a truncated conjugate-gradient solve of
 * the damped normal equations ({@code maxCgIterations} per solve), diag(J&#x1D40;J) for the gtol test and
 * Marquardt's scaling is a random-sign estimate, and Gauss-Newton's step is the minimum-norm one,
 * so there may be fewer residuals than parameters: the form for training a network on a batch.
 * {@code auto} (the default) stores J while it has at most 4,194,304 entries.
 */
public abstract class LeastSquaresOptimizer extends ParameterVectorOptimizer {
    public static final Hyperparameter<Double> FTOL = Hyperparameter.number("ftol", 1e-12, Hyperparameter.Rule.NON_NEGATIVE,
            "stop when the actual and predicted relative reductions of the sum of squares are at most ftol");
    public static final Hyperparameter<Double> XTOL = Hyperparameter.number("xtol", 1e-12, Hyperparameter.Rule.NON_NEGATIVE,
            "stop when the step is at most xtol (|theta| + xtol)");
    public static final Hyperparameter<Double> GTOL = Hyperparameter.number("gtol", 1e-12, Hyperparameter.Rule.NON_NEGATIVE,
            "stop when the largest cosine between r and a column of J is at most gtol");
    public static final Hyperparameter<Integer> MAX_ITER = Hyperparameter.integer("maxIter", 0, Hyperparameter.Rule.NON_NEGATIVE,
            "trial steps (accepted or not) per step (0: no limit but the tests and maxEvaluations)");
    public static final Hyperparameter<Integer> MAX_EVALUATIONS = Hyperparameter.integer("maxEvaluations", 0,
            Hyperparameter.Rule.NON_NEGATIVE, "residual evaluations per step (0: 200 (p + 1), MINPACK's 100 (p + 1) doubled for"
                    + " geodesic acceleration)");
    public static final Hyperparameter<Double> INITIAL_DAMPING = Hyperparameter.number("initialDamping", 1, Hyperparameter.Rule.POSITIVE,
            "tau: the first lambda relative to the scale of J^T J");
    public static final Hyperparameter<Boolean> GEODESIC_ACCELERATION = Hyperparameter.flag("geodesicAcceleration", true,
            "add Transtrum and Sethna's second-order correction to each damped step");
    public static final Hyperparameter<String> SOLVER = Hyperparameter.choice("solver", "auto", List.of("auto", "dense", "cg"),
            "dense: J stored, steps by QR; cg: J never formed, steps by conjugate gradients on J^T J from Jacobian-vector products;"
                    + " auto: dense while the m x p Jacobian has at most 4,194,304 entries (32 MB)");
    public static final Hyperparameter<Integer> MAX_CG_ITERATIONS = Hyperparameter.integer("maxCgIterations", 20,
            Hyperparameter.Rule.POSITIVE, "conjugate-gradient iterations per step solve with solver=cg");
    /** The most entries of a Jacobian that {@code solver=auto} stores. */
    static final long DENSE_LIMIT = 1L << 22;

    /** The declarations of a least-squares method; a damped one also has initialDamping and geodesicAcceleration. */
    static HyperparameterSpec spec(String owner, boolean damped) {
        return damped ? HyperparameterSpec.of(owner, FTOL, XTOL, GTOL, MAX_ITER, MAX_EVALUATIONS, SOLVER, MAX_CG_ITERATIONS, INITIAL_DAMPING,
                GEODESIC_ACCELERATION)
                : HyperparameterSpec.of(owner, FTOL, XTOL, GTOL, MAX_ITER, MAX_EVALUATIONS, SOLVER, MAX_CG_ITERATIONS);
    }

    /** The options of the least-squares methods. */
    public static final class Options extends OptimizerOptions<Options> {
        Options(HyperparameterSpec spec) { super(spec); }

        public Options ftol(double value) { return set(FTOL, value); }

        public Options xtol(double value) { return set(XTOL, value); }

        public Options gtol(double value) { return set(GTOL, value); }

        public Options maxIter(int value) { return set(MAX_ITER, value); }

        public Options maxEvaluations(int value) { return set(MAX_EVALUATIONS, value); }

        /**
         * {@code dense} (J stored, steps by QR), {@code cg} (J never formed: conjugate gradients on
         * J&#x1D40;J from Jacobian-vector products, for networks) or {@code auto} (dense up to 4,194,304 entries of J).
         */
        public Options solver(String value) { return set(SOLVER, value); }

        /** The conjugate-gradient iterations of one step's solve with {@code solver=cg}. */
        public Options maxCgIterations(int value) { return set(MAX_CG_ITERATIONS, value); }

        /** Levenberg and Levenberg-Marquardt only. */
        public Options initialDamping(double value) { return set(INITIAL_DAMPING, value); }

        /** Levenberg and Levenberg-Marquardt only: whether each step gets geodesic acceleration (default on). */
        public Options geodesicAcceleration(boolean value) { return set(GEODESIC_ACCELERATION, value); }
    }

    LeastSquaresOptimizer(HyperparameterSpec spec, OptimizerOptions<?> options, List<? extends Tensor> params) {
        super(spec, options, params);
        for (Tensor p : params) {
            if (!p.requiresGrad()) {
                throw new IllegalArgumentException(name() + ": every parameter must require grad (the Jacobian comes from autograd)");
            }
        }
    }

    /**
     * The diagonal D of the damping term for this iteration, given diag(J&#x1D40;J) and the last
     * D (null at the first iteration); null means no damping (Gauss-Newton).
     */
    abstract double[] damping(double[] normalDiagonal, double[] previous);

    /** The closure returns residuals. */
    @Override
    public ClosureKind closureKind() {
        return ClosureKind.RESIDUALS;
    }

    /** As {@link #step(LossClosure)}, typed for a lambda that returns residuals. */
    public Tensor step(ResidualClosure residuals) {
        return step((LossClosure) residuals);
    }

    /**
     * Minimizes &frac12;&Vert;r&Vert;&sup2; from the parameters' current values, reading what the closure
     * returns as r; leaves the result in the parameters and returns &frac12;&Vert;r&Vert;&sup2; at the start.
     */
    @Override
    public Tensor step(LossClosure closure) {
        if (closure == null) {
            throw new IllegalArgumentException(name() + ": step(closure) got a null closure; pass one that returns the residuals r");
        }
        ResidualClosure residuals = closure::evaluate;
        ParamGroup group = paramGroups().get(0);
        ParameterVector theta = theta();
        int maxIter = group.get(MAX_ITER);
        double ftol = group.get(FTOL);
        double xtol = group.get(XTOL);
        double gtol = group.get(GTOL);
        boolean geodesicAcceleration = group.has(GEODESIC_ACCELERATION.name()) && group.get(GEODESIC_ACCELERATION);
        int p = theta.size();
        int maxEvaluations = group.get(MAX_EVALUATIONS) > 0 ? group.get(MAX_EVALUATIONS) : 200 * (p + 1);
        double[] x = theta.values();
        // the Jacobian first: its evaluation, with gradients recorded, is where a closure that differentiates is caught
        Jacobian jacobian = jacobian(residuals, -1);
        double[] r = evaluate(residuals);
        int evaluations = 1;
        int jacobians = 1;
        int iterations = 0;
        double rss = Vectors.dot(r, r);
        double initialRss = rss;
        double lambda = stateNumber("damping", -1);
        double nu = stateNumber("nu", 2);
        double[] scale = stateVector("scale");
        StopReason reason = null;
        while (reason == null) {
            if (rss == 0) {
                reason = StopReason.ZERO_RESIDUAL;
                break;
            }
            double[] diagonal = jacobian.columnSquares(); // diag(J^T J)
            double[] gradient = jacobian.transposeTimes(r);
            if (JacobianAlgebra.largestCosine(diagonal, r, gradient) <= gtol) {
                reason = StopReason.GTOL;
                break;
            }
            scale = damping(diagonal, scale);
            if (scale != null && lambda < 0) {
                double ratio = 0;
                for (int j = 0; j < p; j++) {
                    ratio = Math.max(ratio, diagonal[j] / scale[j]);
                }
                lambda = group.get(INITIAL_DAMPING) * (ratio > 0 ? ratio : 1);
            }
            // Try steps until one decreases F (accepted) or a stopping test fires.
            // Gauss-Newton's step fraction: it carries over a step that ends on a rejected trial (maxIter), so the next tries half of it
            double halving = stateNumber("halving", 1);
            while (true) {
                if (evaluations >= maxEvaluations) {
                    reason = StopReason.MAX_EVALUATIONS;
                    break;
                }
                if (maxIter > 0 && iterations >= maxIter) {
                    reason = StopReason.MAX_ITERATIONS;
                    break;
                }
                double[] step = scale == null ? jacobian.gaussNewtonStep(r, halving) : jacobian.dampedStep(r, lambda, scale);
                if (step != null && scale != null && geodesicAcceleration) {
                    step = accelerate(residuals, x, r, jacobian, step, lambda, scale);
                    evaluations++;
                }
                if (step == null && scale == null) {
                    reason = StopReason.PRECISION_LIMIT; // Gauss-Newton has no damping to raise
                    break;
                }
                if (step == null) {
                    lambda = Math.max(lambda, Double.MIN_NORMAL) * nu;
                    nu *= 2;
                    if (!(lambda < 1e300)) {
                        reason = StopReason.PRECISION_LIMIT;
                        break;
                    }
                    continue;
                }
                double[] linearized = Vectors.along(r, 1, jacobian.times(step)); // r + J delta, the model's residual after the step
                double predicted = rss - Vectors.dot(linearized, linearized);
                double[] trial = Vectors.along(x, 1, step);
                theta.set(trial);
                double[] trialResiduals = evaluate(residuals);
                evaluations++;
                iterations++;
                double trialRss = Vectors.dot(trialResiduals, trialResiduals);
                double actual = Double.isFinite(trialRss) ? rss - trialRss : Double.NEGATIVE_INFINITY;
                double rho = predicted > 0 ? actual / predicted : (actual > 0 ? 1 : -1);
                Jacobian trialJacobian = actual > 0 ? jacobian(residuals, r.length) : null;
                // A point where the Jacobian overflows cannot be stepped from: treat it as a failed step.
                boolean accept = trialJacobian != null && trialJacobian.finite();
                if (trialJacobian != null) {
                    jacobians++;
                }
                // Both convergence tests judge accepted steps only: a rejected step is short because lambda is
                // large, which says nothing about being near a minimum. xtol is MINPACK's relative change between
                // two consecutive iterates; ftol its relative actual and predicted reductions of the sum of squares.
                // Nor does a step kept short by the damping: the tests apply once lambda D is below the curvature
                // J^T J in every coordinate, so that the step is within a factor 2 of the Gauss-Newton step.
                boolean judged = accept && dampingNegligible(lambda, scale, diagonal) && jacobian.lastSolveExact();
                boolean small = judged && Vectors.norm(step) <= xtol * (Vectors.norm(x) + xtol);
                boolean flat = judged && actual <= ftol * rss && predicted <= ftol * rss && rho <= 2;
                if (!accept) {
                    theta.set(x);
                } else {
                    modelState().remove("halving");
                    x = trial;
                    r = trialResiduals;
                    rss = trialRss;
                    jacobian = trialJacobian;
                    if (scale != null) {
                        lambda *= Math.max(1.0 / 3, 1 - Math.pow(2 * rho - 1, 3));
                        nu = 2;
                    }
                    if (flat) {
                        reason = StopReason.FTOL;
                    } else if (small) {
                        reason = StopReason.XTOL;
                    }
                    break;
                }
                if (scale == null) {
                    halving /= 2;
                    setStateNumber("halving", halving);
                    if (halving < 1e-10) {
                        reason = StopReason.PRECISION_LIMIT;
                        break;
                    }
                } else {
                    lambda *= nu;
                    nu *= 2;
                    if (!(lambda < 1e300)) {
                        reason = StopReason.PRECISION_LIMIT;
                        break;
                    }
                }
            }
        }
        theta.set(x);
        setStateNumber("damping", lambda);
        setStateNumber("nu", nu);
        setStateVector("scale", scale);
        recordStep(new StepResult(initialRss / 2, rss / 2, iterations, evaluations, reason));
        return Tensor.scalar(DType.FLOAT64, initialRss / 2);
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
    private double[] accelerate(ResidualClosure residuals, double[] x, double[] r, Jacobian jacobian, double[] velocity,
                                double lambda, double[] scale) {
        double h = 0.1;
        theta().set(Vectors.along(x, h, velocity));
        double[] shifted = evaluate(residuals);
        theta().set(x);
        double[] directional = jacobian.times(velocity);
        double[] secondDerivative = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            secondDerivative[i] = 2 / h * ((shifted[i] - r[i]) / h - directional[i]);
            if (!Double.isFinite(secondDerivative[i])) {
                return null; // the probe left the model's domain: a shorter step is needed
            }
        }
        double[] acceleration = jacobian.dampedStep(secondDerivative, lambda, scale);
        if (acceleration == null || !(2 * Vectors.norm(acceleration) <= 0.75 * Vectors.norm(velocity))) {
            return null;
        }
        return Vectors.along(velocity, 0.5, acceleration);
    }

    private double[] evaluate(ResidualClosure residuals) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return JacobianAlgebra.checkResiduals(name(), residuals.residuals()).data().toDoubleArray();
        }
    }

    /**
     * J at the parameters' current values, stored or as an operator by the {@code solver}
     * hyperparameter; an operator's diagonal probes are keyed by a counter in the state, so that a
     * resumed run draws the same signs.
     */
    private Jacobian jacobian(ResidualClosure residuals, int m) {
        ParamGroup group = paramGroups().get(0);
        Tensor recorded = JacobianAlgebra.record(name(), theta(), residuals, m);
        String solver = group.get(SOLVER);
        boolean dense = solver.equals("dense") || solver.equals("auto") && (long) recorded.size() * theta().size() <= DENSE_LIMIT;
        if (dense) {
            return new DenseJacobian(name(), JacobianAlgebra.rows(theta(), recorded));
        }
        double operators = stateNumber("operators", 0);
        setStateNumber("operators", operators + 1);
        return new JacobianOperator(theta(), recorded, group.get(MAX_CG_ITERATIONS), (long) operators);
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
}
