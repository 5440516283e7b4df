package dev.descent.core.linalg;

/**
 * A Cholesky factorization met a pivot that is not positive: the matrix is not positive
 * definite (or is too close to singular to be treated as such). Carries the failing pivot so a
 * caller, such as a damped Newton method, can decide how much to shift the diagonal.
 */
public final class NotPositiveDefiniteException extends ArithmeticException {
    private final int index;
    private final double pivot;

    public NotPositiveDefiniteException(String op, int index, double pivot) {
        super(op + ": the matrix is not positive definite (pivot " + index + " is " + pivot
                + "); use a jittered factorization or damp the diagonal");
        this.index = index;
        this.pivot = pivot;
    }

    /** The row at which the factorization stopped. */
    public int index() {
        return index;
    }

    /** The value that would have been square-rooted there (zero or negative). */
    public double pivot() {
        return pivot;
    }
}
