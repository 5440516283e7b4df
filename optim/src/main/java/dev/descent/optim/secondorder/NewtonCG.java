package dev.descent.optim.secondorder;

import dev.descent.autograd.Tensor;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.LossClosure;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParameterVector;
import dev.descent.optim.ParameterVectorOptimizer;
import dev.descent.optim.StepResult;
import dev.descent.optim.StopReason;
import dev.descent.optim.leastsquares.Levenberg;
import java.util.List;

/**
 * Hessian-free Newton (truncated Newton; Martens, 2010): each step solves the damped Newton
 * system by conjugate gradient on Hessian-vector products, so no Hessian is ever formed and the
 * cost per CG iteration is about two backward passes.
 * <pre>
 *   g &larr; &nabla;f(&theta;)
 *   &delta; &asymp; argmin q(&delta;) + &frac12;&lambda;&Vert;&delta;&Vert;&sup2;,  q(&delta;) = g&#x1D40;&delta; + &frac12;&delta;&#x1D40;H&delta;   (CG on (H + &lambda;I)&delta; = &minus;g, started from 0.95 &middot; the last &delta;,
 *                                          stopped at &Vert;residual&Vert; &le; min(0.5, &radic;&Vert;g&Vert;)&Vert;g&Vert;, maxCgIterations, or negative curvature)
 *   &rho; &larr; (f(&theta; + &delta;) &minus; f(&theta;)) / q(&delta;)
 *   &rho; &lt; 1/4: &lambda; &larr; 3/2 &lambda;;   &rho; &gt; 3/4: &lambda; &larr; 2/3 &lambda;       (Martens' Levenberg-Marquardt rule)
 *   &theta; &larr; &theta; + &delta; if f decreased, else keep &theta;
 * </pre>
 * Defaults: initial damping &lambda; = 1, maxCgIterations 250.
 *
 * <pre>{@code
 * NewtonCG hf = new NewtonCG(model.parameters(), NewtonCG.options().damping(1));
 * for (int i = 0; i < 50; i++) {
 *     hf.step(LossClosure.of(hf, () -> Losses.crossEntropy(model.forward(x), y)));
 * }
 * }</pre>
 */
public final class NewtonCG extends ParameterVectorOptimizer {
    public static final Hyperparameter<Double> DAMPING = Hyperparameter.number("damping", 1, Hyperparameter.Rule.NON_NEGATIVE,
            "initial damping lambda (adapted by the reduction ratio after each step)");
    public static final Hyperparameter<Integer> MAX_CG_ITERATIONS = Hyperparameter.integer("maxCgIterations", 250,
            Hyperparameter.Rule.AT_LEAST_ONE, "conjugate-gradient iterations (Hessian-vector products) per step");
    static final HyperparameterSpec SPEC = HyperparameterSpec.of("NewtonCG", DAMPING, MAX_CG_ITERATIONS);

    /** Newton-CG's hyperparameters: the initial damping &lambda; and the CG iteration cap. */
    public static final class Options extends OptimizerOptions<Options> {
        Options() { super(SPEC); }

        public Options damping(double value) { return set(DAMPING, value); }

        public Options maxCgIterations(int value) { return set(MAX_CG_ITERATIONS, value); }
    }

    private double gradientNorm = Double.NaN;
    private double reductionRatio = Double.NaN;
    private int hessianProducts;

    public static Options options() { return new Options(); }

    public NewtonCG(List<? extends Tensor> params, Options options) { super(SPEC, options, params); }

    /** The current damping &lambda; (state {@code damping}). */
    public double damping() {
        return stateNumber("damping", paramGroups().get(0).get(DAMPING));
    }

    /** &Vert;g&Vert; at the start of the last step. */
    public double gradientNorm() {
        return gradientNorm;
    }

    /** The last step's ratio &rho; of actual to predicted reduction. */
    public double reductionRatio() {
        return reductionRatio;
    }

    /** The Hessian-vector products the last step took. */
    public int hessianProducts() {
        return hessianProducts;
    }

    /**
     * One Hessian-free step: CG from the state's {@code previous_step}, the trial, and the damping
     * (state {@code damping}) adapted; the closure is the ordinary one.
     */
    @Override
    public Tensor step(LossClosure closure) {
        ParameterVector theta = theta();
        Tensor first = evaluateLoss(closure, true);
        Curvature at = new Curvature(theta, first);
        double lambda = damping();
        gradientNorm = Vectors.norm(at.gradient);
        if (gradientNorm == 0) {
            reductionRatio = 0;
            hessianProducts = 0;
            recordStep(new StepResult(at.loss, at.loss, 1, 1, StopReason.GRADIENT_TOLERANCE));
            return first;
        }
        double[] delta = truncatedConjugateGradient(at, gradientNorm, lambda, stateVector("previous_step"));
        double[] hDelta = at.hessianTimes(delta);
        double predicted = Vectors.dot(at.gradient, delta) + 0.5 * Vectors.dot(delta, hDelta);
        double[] x = theta.values();
        theta.set(Vectors.along(x, 1, delta));
        double newLoss = evaluateLoss(closure).item();
        double rho = predicted < 0 ? (newLoss - at.loss) / predicted : -1;
        if (rho < 0.25) {
            setStateNumber("damping", lambda * 1.5);
        } else if (rho > 0.75) {
            setStateNumber("damping", lambda * 2.0 / 3);
        } else {
            setStateNumber("damping", lambda);
        }
        boolean accepted = newLoss < at.loss;
        if (!accepted) {
            theta.set(x);
            setStateVector("previous_step", null);
        } else {
            setStateVector("previous_step", delta);
        }
        reductionRatio = rho;
        hessianProducts = at.products();
        recordStep(new StepResult(at.loss, accepted ? newLoss : at.loss, 1, 2,
                accepted ? StopReason.MAX_ITERATIONS : StopReason.STEP_REJECTED));
        return first;
    }

    /** CG on (H + lambda I) d = -g, from the decayed previous step, truncated as documented. */
    private double[] truncatedConjugateGradient(Curvature at, double gradientNorm, double lambda, double[] previousStep) {
        int maxCgIterations = paramGroups().get(0).get(MAX_CG_ITERATIONS);
        int n = at.gradient.length;
        double[] d = previousStep != null ? Vectors.scaled(0.95, previousStep) : new double[n];
        double[] r = Vectors.scaled(-1, at.gradient); // residual -g - (H + lambda I) d
        if (previousStep != null) {
            double[] ad = dampedProduct(at, d, lambda);
            Vectors.addScaled(r, -1, ad);
        }
        double tolerance = Math.min(0.5, Math.sqrt(gradientNorm)) * gradientNorm;
        double[] p = r.clone();
        double rr = Vectors.dot(r, r);
        for (int iteration = 0; iteration < maxCgIterations && Math.sqrt(rr) > tolerance; iteration++) {
            double[] ap = dampedProduct(at, p, lambda);
            double curvature = Vectors.dot(p, ap);
            if (!(curvature > 0)) {
                break; // negative curvature: keep the iterate reached so far
            }
            double alpha = rr / curvature;
            Vectors.addScaled(d, alpha, p);
            Vectors.addScaled(r, -alpha, ap);
            double next = Vectors.dot(r, r);
            double beta = next / rr;
            rr = next;
            for (int i = 0; i < n; i++) {
                p[i] = r[i] + beta * p[i];
            }
        }
        if (Vectors.dot(d, at.gradient) >= 0) {
            // Not a descent direction (negative curvature at the first iteration, or a stale warm start).
            return Vectors.scaled(-1 / (1 + lambda), at.gradient);
        }
        return d;
    }

    private static double[] dampedProduct(Curvature at, double[] v, double lambda) {
        double[] hv = at.hessianTimes(v);
        Vectors.addScaled(hv, lambda, v);
        return hv;
    }
}
