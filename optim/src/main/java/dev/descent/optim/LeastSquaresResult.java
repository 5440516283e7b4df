package dev.descent.optim;

/**
 * What a least-squares solve found: the parameters (also written to the model), their
 * standard errors s &radic;diag((J&#x1D40;J)&#x207B;&sup1;) with s&sup2; = rss / (m &minus; p) (NaN when m &le; p
 * or J is rank deficient), the residual sum of squares &Vert;r&Vert;&sup2;, the iterations (accepted
 * and rejected steps), the residual and Jacobian evaluations, and why it stopped.
 */
public record LeastSquaresResult(double[] parameters, double[] standardErrors, double residualSumOfSquares, int iterations,
                                 int evaluations, int jacobianEvaluations, StopReason stopReason) {

    /** Why a least-squares solve stopped, in MINPACK's terms. */
    public enum StopReason {
        /** The actual and predicted relative reductions of the sum of squares are at most ftol. */
        FTOL("relative reduction of the sum of squares below ftol"),
        /** The relative change of the parameters is at most xtol. */
        XTOL("relative change of the parameters below xtol"),
        /** The residual is orthogonal to the Jacobian's columns to within gtol. */
        GTOL("residual orthogonal to the Jacobian's columns within gtol"),
        /** The residual is exactly zero. */
        ZERO_RESIDUAL("zero residual"),
        /** The listener asked to stop. */
        STOPPED("stopped by the listener"),
        /** The evaluation budget ran out. */
        MAX_EVALUATIONS("maximum number of evaluations reached"),
        /**
         * No step, down to a vanishing gradient step, decreases the sum of squares: a minimum to
         * working precision, reached before the tolerances (which are tighter than rounding
         * allows; MINPACK's info 6 to 8).
         */
        PRECISION_LIMIT("no step decreases the sum of squares: a minimum to working precision");

        private final String description;

        StopReason(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** Whether the solve ended at a minimum (every reason but the evaluation budget and a listener's stop). */
    public boolean converged() {
        return stopReason != StopReason.MAX_EVALUATIONS && stopReason != StopReason.STOPPED;
    }
}
