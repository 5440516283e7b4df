package dev.descent.core.linalg;

/** A solve or inverse met a matrix that is singular to working precision (a zero or negligible pivot). */
public final class SingularMatrixException extends ArithmeticException {
    public SingularMatrixException(String message) {
        super(message);
    }
}
