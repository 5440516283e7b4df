package dev.descent.core;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.CompareOp;
import java.util.Arrays;

/**
 * NDArray's elementwise arithmetic and comparisons: device checks, dtype promotion (see
 * {@link DType}), broadcasting, and the in-place forms' rules (never narrow the receiver, never
 * write into a broadcast view, read an overlapping operand before it is overwritten).
 */
final class ArrayArithmetic {
    private ArrayArithmetic() {
    }

    static NDArray binary(NDArray x, String op, BinaryOp kind, NDArray other) {
        NDArray.checkSameDevice(op, x, other);
        DType dtype = DType.promote(x.dtype(), other.dtype());
        if (!kind.closedOverIntegers()) {
            dtype = dtype.toFloatingPoint();
        }
        int[] outShape = Shape.broadcast(op, x.shape(), other.shape());
        NDArray out = NDArray.empty(dtype, outShape, x.device());
        x.backend().binary(kind, x.astype(dtype).expand(outShape), other.astype(dtype).expand(outShape), out);
        return out;
    }

    /** A 0-d array for a scalar operand: {@code x}'s dtype, or FLOAT32 next to an INT32 array (see {@link DType}). */
    static NDArray scalarLike(NDArray x, double value) {
        NDArray s = NDArray.empty(x.dtype().toFloatingPoint(), new int[0], x.device());
        return s.fill(value);
    }

    /** Comparisons against a scalar compare exactly: in FLOAT64 unless the scalar fits {@code x}'s dtype. */
    static NDArray scalarFor(NDArray x, double value) {
        DType dtype = x.dtype();
        boolean exact = dtype == DType.FLOAT64 || (dtype == DType.FLOAT32 ? (float) value == value
                || Double.isNaN(value) : value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE);
        return NDArray.empty(exact ? dtype : DType.FLOAT64, new int[0], x.device()).fill(value);
    }

    static NDArray compare(NDArray x, String op, CompareOp kind, NDArray other) {
        NDArray.checkSameDevice(op, x, other);
        DType dtype = DType.promote(x.dtype(), other.dtype());
        int[] outShape = Shape.broadcast(op, x.shape(), other.shape());
        NDArray out = NDArray.empty(DType.INT32, outShape, x.device());
        x.backend().compare(kind, x.astype(dtype).expand(outShape), other.astype(dtype).expand(outShape), out);
        return out;
    }

    static NDArray inPlace(NDArray x, String op, BinaryOp kind, NDArray other) {
        x.checkWritable(op);
        DType dtype = DType.promote(x.dtype(), other.dtype());
        if (!kind.closedOverIntegers()) {
            dtype = dtype.toFloatingPoint();
        }
        checkInPlaceOperand(x, op, other, dtype);
        x.backend().binary(kind, x, detached(x, other).astype(x.dtype()).expand(x.shape()), x);
        return x;
    }

    static void checkInPlaceOperand(NDArray x, String op, NDArray other, DType resultType) {
        NDArray.checkSameDevice(op, x, other);
        if (resultType != x.dtype()) {
            throw new IllegalArgumentException(op + ": the result is " + resultType + " but the receiver is " + x.dtype()
                    + "; in-place operations never narrow (use the copying form, or astype first)");
        }
        int[] outShape = Shape.broadcast(op, x.shape(), other.shape());
        if (!Arrays.equals(outShape, x.shape())) {
            throw new IllegalArgumentException(op + ": an operand of shape " + Arrays.toString(other.shape())
                    + " does not broadcast to the receiver's shape " + Arrays.toString(x.shape()));
        }
    }

    /** {@code other}, copied when it shares storage with {@code x} in a different layout (reads would see writes). */
    static NDArray detached(NDArray x, NDArray other) {
        boolean sameView = other.offset() == x.offset() && Arrays.equals(other.shape(), x.shape())
                && Arrays.equals(other.strides(), x.strides());
        return other.storage() == x.storage() && !sameView ? other.copy() : other;
    }
}
