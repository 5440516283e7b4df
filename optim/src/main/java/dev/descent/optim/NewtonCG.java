package dev.descent.optim;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
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
 *     hf.step(() -> Losses.crossEntropy(model.forward(x), y));
 * }
 * }</pre>
 */
public final class NewtonCG {

    /** Settings: the initial damping &lambda; and the CG iteration cap. */
    public static final class Options {
        double damping = 1;
        int maxCgIterations = 250;

        public Options damping(double value) {
            if (!(value >= 0)) {
                throw new IllegalArgumentException("NewtonCG: damping must be at least 0, got " + value);
            }
            damping = value;
            return this;
        }

        public Options maxCgIterations(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("NewtonCG: maxCgIterations must be at least 1, got " + value);
            }
            maxCgIterations = value;
            return this;
        }
    }

    /**
     * One step's account: the loss and gradient norm before, the loss after (equal to before
     * when the step was rejected), the reduction ratio &rho;, the damping used, and the
     * Hessian-vector products CG took.
     */
    public record Step(double loss, double gradientNorm, double newLoss, double reductionRatio, double damping, int hessianProducts,
                       boolean accepted) {
    }

    private final ParameterVector theta;
    private double lambda;
    private final int maxCgIterations;
    private double[] previousStep;

    public static Options options() {
        return new Options();
    }

    public NewtonCG(List<? extends Tensor> params, Options options) {
        this.theta = ParameterVector.of(params);
        this.lambda = options.damping;
        this.maxCgIterations = options.maxCgIterations;
    }

    /** The current damping &lambda;. */
    public double damping() {
        return lambda;
    }

    /** One Hessian-free step on {@code loss}. */
    public Step step(LossFunction loss) {
        Curvature at = new Curvature("NewtonCG", theta, loss);
        double gradientNorm = Vectors.norm(at.gradient);
        int n = at.gradient.length;
        if (gradientNorm == 0) {
            return new Step(at.loss, 0, at.loss, 0, lambda, 0, false);
        }
        double usedDamping = lambda;
        double[] delta = truncatedConjugateGradient(at, gradientNorm);
        double[] hDelta = at.hessianTimes(delta);
        double predicted = Vectors.dot(at.gradient, delta) + 0.5 * Vectors.dot(delta, hDelta);
        double[] x = theta.values();
        theta.set(Vectors.along(x, 1, delta));
        double newLoss;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            newLoss = loss.compute().item();
        }
        double rho = predicted < 0 ? (newLoss - at.loss) / predicted : -1;
        if (rho < 0.25) {
            lambda *= 1.5;
        } else if (rho > 0.75) {
            lambda *= 2.0 / 3;
        }
        boolean accepted = newLoss < at.loss;
        if (!accepted) {
            theta.set(x);
            previousStep = null;
        } else {
            previousStep = delta;
        }
        return new Step(at.loss, gradientNorm, accepted ? newLoss : at.loss, rho, usedDamping, at.products(), accepted);
    }

    /** CG on (H + lambda I) d = -g, from the decayed previous step, truncated as documented. */
    private double[] truncatedConjugateGradient(Curvature at, double gradientNorm) {
        int n = at.gradient.length;
        double[] d = previousStep != null ? Vectors.scaled(0.95, previousStep) : new double[n];
        double[] r = Vectors.scaled(-1, at.gradient); // residual -g - (H + lambda I) d
        if (previousStep != null) {
            double[] ad = dampedProduct(at, d);
            Vectors.addScaled(r, -1, ad);
        }
        double tolerance = Math.min(0.5, Math.sqrt(gradientNorm)) * gradientNorm;
        double[] p = r.clone();
        double rr = Vectors.dot(r, r);
        for (int iteration = 0; iteration < maxCgIterations && Math.sqrt(rr) > tolerance; iteration++) {
            double[] ap = dampedProduct(at, p);
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

    private double[] dampedProduct(Curvature at, double[] v) {
        double[] hv = at.hessianTimes(v);
        Vectors.addScaled(hv, lambda, v);
        return hv;
    }
}
