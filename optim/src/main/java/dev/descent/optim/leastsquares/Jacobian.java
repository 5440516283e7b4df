package dev.descent.optim.leastsquares;

/**
 * The Jacobian J of the residuals at one point, as the least-squares loop uses it: products with J
 * and J&#x1D40;, the diagonal of J&#x1D40;J, and the solves of a step. {@link DenseJacobian} stores J;
 * {@link JacobianOperator} never forms it, for problems whose m &times; p matrix would not fit.
 */
interface Jacobian {
    /** diag(J&#x1D40;J), the squared norms of J's columns (exact, or an unbiased estimate for an operator). */
    double[] columnSquares();

    /** J&#x1D40;u for a vector u of residual length. */
    double[] transposeTimes(double[] u);

    /** J v for a vector v of parameter length. */
    double[] times(double[] v);

    /** The solution &delta; of (J&#x1D40;J + &lambda; diag(scale)) &delta; = &minus;J&#x1D40;r, or null when the system is singular. */
    double[] dampedStep(double[] r, double lambda, double[] scale);

    /** The Gauss-Newton step, the least-squares solution of J &delta; = &minus;r, times {@code fraction}. */
    double[] gaussNewtonStep(double[] r, double fraction);

    /**
     * Whether the last step solved its system to working precision; false when an iterative solve
     * was cut short by its budget, so that the step's length says nothing about convergence.
     */
    default boolean lastSolveExact() {
        return true;
    }

    /** Whether every entry of J is finite (a point where it overflows cannot be stepped from). */
    boolean finite();
}
