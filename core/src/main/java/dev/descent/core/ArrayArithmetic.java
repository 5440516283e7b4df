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
        NDArray a = x.astype(dtype);
        NDArray b = other.astype(dtype);
        x.backend().binary(kind, a.expand(outShape), b.expand(outShape), out);
        releaseTemporary(a, x);
        releaseTemporary(b, other);
        return out;
    }

    /** {@code x op value}, the value held in a 0-d array on x's device (a cached constant on a GPU). */
    static NDArray binary(NDArray x, String op, BinaryOp kind, double value) {
        return binary(x, op, kind, scalarLike(x, value));
    }

    /** {@code x op= value}, as {@link #binary(NDArray, String, BinaryOp, double)}. */
    static NDArray inPlace(NDArray x, String op, BinaryOp kind, double value) {
        return inPlace(x, op, kind, scalarLike(x, value));
    }

    /** {@code x} compared with {@code value}, as {@link #binary(NDArray, String, BinaryOp, double)}. */
    static NDArray compare(NDArray x, String op, CompareOp kind, double value) {
        return compare(x, op, kind, scalarFor(x, value));
    }

    /**
     * Gives back a converted or copied operand made only for one kernel. On a device its block
     * returns to the cache at once (the kernel reading it was queued first on the same stream),
     * instead of waiting for the garbage collector; on the host its array goes to the host pool
     * for the next allocation of its size (the kernel has finished with it).
     */
    static void releaseTemporary(NDArray temporary, NDArray original) {
        if (temporary.storage() != original.storage()) {
            temporary.storage().release();
        }
    }

    /** A 0-d array for a scalar operand: {@code x}'s dtype, or FLOAT32 next to an INT32 array (see {@link DType}). */
    private static NDArray scalarLike(NDArray x, double value) {
        return scalar(x.device(), x.dtype().toFloatingPoint(), value);
    }

    /** Comparisons against a scalar compare exactly: in FLOAT64 unless the scalar fits {@code x}'s dtype. */
    private static NDArray scalarFor(NDArray x, double value) {
        DType dtype = x.dtype();
        boolean exact = dtype == DType.FLOAT64 || (dtype == DType.FLOAT32 ? (float) value == value
                || Double.isNaN(value) : value == Math.rint(value) && Math.abs(value) <= Integer.MAX_VALUE);
        return scalar(x.device(), exact ? dtype : DType.FLOAT64, value);
    }

    private static NDArray scalar(Device device, DType dtype, double value) {
        if (device.type() == Device.Type.CPU) {
            return NDArray.empty(dtype, new int[0], device).fill(value);
        }
        return DeviceConstants.scalar(device, dtype, value);
    }

    static NDArray compare(NDArray x, String op, CompareOp kind, NDArray other) {
        NDArray.checkSameDevice(op, x, other);
        DType dtype = DType.promote(x.dtype(), other.dtype());
        int[] outShape = Shape.broadcast(op, x.shape(), other.shape());
        NDArray out = NDArray.empty(DType.INT32, outShape, x.device());
        NDArray a = x.astype(dtype);
        NDArray b = other.astype(dtype);
        x.backend().compare(kind, a.expand(outShape), b.expand(outShape), out);
        releaseTemporary(a, x);
        releaseTemporary(b, other);
        return out;
    }

    static NDArray inPlace(NDArray x, String op, BinaryOp kind, NDArray other) {
        x.checkWritable(op);
        DType dtype = DType.promote(x.dtype(), other.dtype());
        if (!kind.closedOverIntegers()) {
            dtype = dtype.toFloatingPoint();
        }
        checkInPlaceOperand(x, op, other, dtype);
        NDArray detached = detached(x, other);
        NDArray operand = detached.astype(x.dtype());
        x.backend().binary(kind, x, operand.expand(x.shape()), x);
        releaseTemporary(operand, detached);
        releaseTemporary(detached, other);
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
