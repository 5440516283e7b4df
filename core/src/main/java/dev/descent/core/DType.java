package dev.descent.core;

/**
 * The element type of an {@link NDArray}.
 *
 * <h2>Promotion</h2>
 * When two arrays of different dtypes meet in a binary operation the result has the wider of
 * the two types, in the order {@code INT32 < FLOAT32 < FLOAT64} (see {@link #promote}). A
 * {@code double} scalar combined with an {@code INT32} array gives {@code FLOAT32}, as a Python
 * float does with an integer tensor in PyTorch. Operations that are not closed over the integers
 * ({@code div}, {@code pow}, {@code exp}, {@code log}, {@code sqrt}, {@code tanh}, {@code sigmoid},
 * reductions such as {@code mean}, ...) promote {@code INT32} inputs to {@code FLOAT32}.
 * In-place operations never narrow: writing a {@code FLOAT64} result into a {@code FLOAT32} or
 * {@code INT32} receiver is an error, never a silent rounding or truncation; {@link NDArray#astype}
 * is the explicit conversion.
 */
public enum DType {
    /** 32-bit signed integers: labels, indices, masks from comparisons. */
    INT32(4, false),
    /** 32-bit IEEE floats: the default for data and parameters. */
    FLOAT32(4, true),
    /** 64-bit IEEE floats: gradient checks, second-order methods, small problems. */
    FLOAT64(8, true);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether this is a floating-point type. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The result type of a binary operation between {@code a} and {@code b}: the wider of the two. */
    public static DType promote(DType a, DType b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** This type if it is floating point, else {@code FLOAT32}: the type of a result that leaves the integers. */
    public DType toFloatingPoint() {
        return floatingPoint ? this : FLOAT32;
    }
}
