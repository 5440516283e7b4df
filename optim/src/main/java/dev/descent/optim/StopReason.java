package dev.descent.optim;

import dev.descent.optim.firstorder.SGD;
import dev.descent.optim.leastsquares.Levenberg;
import dev.descent.optim.secondorder.Newton;

/** Why an optimizer's step returned, for every method from SGD to Levenberg-Marquardt. */
public enum StopReason {
    /** A first-order method updated every parameter that had a gradient (its one iteration). */
    UPDATED("updated every parameter with a gradient"),
    /** The gradient is at most toleranceGrad (quasi-Newton), or exactly zero (Newton): a stationary point. */
    GRADIENT_TOLERANCE("gradient below toleranceGrad"),
    /** The last step moved the parameters by at most toleranceChange. */
    STEP_TOLERANCE("step below toleranceChange"),
    /** The loss changed by less than toleranceChange. */
    LOSS_CHANGE_TOLERANCE("loss change below toleranceChange"),
    /** The step's iteration budget (maxIter) is spent. */
    MAX_ITERATIONS("maximum number of iterations per step reached"),
    /** The step's evaluation budget is spent. */
    MAX_EVALUATIONS("maximum number of evaluations reached"),
    /** The quasi-Newton direction is not a descent direction. */
    NOT_DESCENT_DIRECTION("the direction does not descend"),
    /** A trust-region step was tried and did not decrease the loss: the damping grew and the parameters were kept. */
    STEP_REJECTED("the trial step did not decrease the loss; kept the parameters and raised the damping"),
    /** The actual and predicted relative reductions of the sum of squares are at most ftol. */
    FTOL("relative reduction of the sum of squares below ftol"),
    /** The relative change of the parameters is at most xtol. */
    XTOL("relative change of the parameters below xtol"),
    /** The residual is orthogonal to the Jacobian's columns to within gtol. */
    GTOL("residual orthogonal to the Jacobian's columns within gtol"),
    /** The residual is exactly zero. */
    ZERO_RESIDUAL("zero residual"),
    /**
     * No step, down to a vanishing one, decreases the sum of squares: a minimum to working
     * precision, reached before the tolerances (MINPACK's info 6 to 8).
     */
    PRECISION_LIMIT("no step decreases the sum of squares: a minimum to working precision");

    private final String description;

    StopReason(String description) {
        this.description = description;
    }

    /** The reason in words, for reports. */
    public String description() {
        return description;
    }

    /** Whether a least-squares solve ended at a minimum (every reason but a spent budget). */
    public boolean converged() {
        return this != MAX_EVALUATIONS && this != MAX_ITERATIONS;
    }
}
