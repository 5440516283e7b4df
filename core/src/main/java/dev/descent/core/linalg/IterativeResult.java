package dev.descent.core.linalg;

/**
 * What an iterative solver returns: the solution, the iterations it took, the final residual
 * norm &Vert;b &minus; A x&Vert; and why it stopped.
 */
public record IterativeResult(double[] solution, int iterations, double residualNorm, Reason reason) {
    /** Why an iterative solver stopped. */
    public enum Reason {
        /** The residual fell below the tolerance. */
        CONVERGED,
        /** The iteration cap was reached first. */
        MAX_ITERATIONS,
        /**
         * Conjugate gradient found a direction p with p&#x1D40;A p &le; 0: the operator is not
         * positive definite; the solution holds the iterate before that direction.
         */
        NEGATIVE_CURVATURE,
        /** The iteration grew without bound (a stationary method on a matrix it does not converge for). */
        DIVERGED
    }

    /** Whether the tolerance was met. */
    public boolean converged() {
        return reason == Reason.CONVERGED;
    }
}
