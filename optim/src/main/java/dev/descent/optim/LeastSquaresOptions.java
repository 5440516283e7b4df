package dev.descent.optim;

/**
 * Stopping and damping settings of the least-squares solvers, with MINPACK's meanings (the
 * defaults are tighter than MINPACK's &radic;&epsilon;, so that a fit reproduces reference results
 * to 6 significant digits and more):
 * <ul>
 *   <li>{@code ftol} (default 1e-12): both the actual and the predicted relative reduction of
 *       &Vert;r&Vert;&sup2; in a step are at most ftol;</li>
 *   <li>{@code xtol} (default 1e-12): the step is at most xtol (&Vert;&theta;&Vert; + xtol);</li>
 *   <li>{@code gtol} (default 1e-12): the largest cosine between r and a column of J is at most
 *       gtol (r is orthogonal to every direction the parameters can move it in);</li>
 *   <li>{@code maxEvaluations} (default 200 (p + 1), MINPACK's 100 (p + 1) doubled for the second
 *       evaluation of geodesic acceleration): residual evaluations;</li>
 *   <li>{@code initialDamping} (default 1): &tau;, the first &lambda; relative to the scale of
 *       J&#x1D40;J; Madsen, Nielsen and Tingleff advise 1e-6 for a start near the solution and up to
 *       1 for a poor one, which is the case a default must survive (NIST's first starts).</li>
 * </ul>
 */
public final class LeastSquaresOptions {
    double ftol = 1e-12;
    double xtol = 1e-12;
    double gtol = 1e-12;
    int maxEvaluations = -1;
    double initialDamping = 1;
    boolean geodesicAcceleration = true;

    /**
     * Whether the damped methods add Transtrum and Sethna's geodesic acceleration to each step
     * (default on: one more residual evaluation per trial step, far fewer failures on hard
     * problems; see {@link LeastSquaresSolver}).
     */
    public LeastSquaresOptions geodesicAcceleration(boolean value) {
        geodesicAcceleration = value;
        return this;
    }

    public LeastSquaresOptions ftol(double value) {
        ftol = requireNonNegative("ftol", value);
        return this;
    }

    public LeastSquaresOptions xtol(double value) {
        xtol = requireNonNegative("xtol", value);
        return this;
    }

    public LeastSquaresOptions gtol(double value) {
        gtol = requireNonNegative("gtol", value);
        return this;
    }

    public LeastSquaresOptions maxEvaluations(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("least squares: maxEvaluations must be at least 1, got " + value);
        }
        maxEvaluations = value;
        return this;
    }

    public LeastSquaresOptions initialDamping(double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException("least squares: initialDamping must be positive, got " + value);
        }
        initialDamping = value;
        return this;
    }

    private static double requireNonNegative(String name, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException("least squares: " + name + " must be at least 0, got " + value);
        }
        return value;
    }
}
