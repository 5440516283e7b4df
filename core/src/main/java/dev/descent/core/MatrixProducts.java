package dev.descent.core;

import dev.descent.core.Backend.MatrixOperand;
import java.util.Arrays;

/**
 * {@code matmul} with NumPy's rules: 1-d operands become a row (left) or a column (right) and that
 * dimension is dropped from the result; leading (batch) dimensions broadcast. Operands are handed
 * to the backend's GEMM in place whenever their layout allows: row-major, transposed (column-major)
 * and batch dimensions that collapse to one stride, including a broadcast batch of stride 0.
 */
final class MatrixProducts {
    private MatrixProducts() {
    }

    static NDArray matmul(NDArray a, NDArray b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one dimension, got "
                    + Arrays.toString(a.shape()) + " @ " + Arrays.toString(b.shape()));
        }
        NDArray.checkSameDevice("matmul", a, b);
        DType dtype = DType.promote(a.dtype(), b.dtype());
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("matmul: INT32 operands are not supported, got " + a.dtype() + " @ "
                    + b.dtype() + "; convert with astype(DType.FLOAT32)");
        }
        NDArray left = a.rank() == 1 ? a.unsqueeze(0) : a;
        NDArray right = b.rank() == 1 ? b.unsqueeze(1) : b;
        int m = left.shape()[left.rank() - 2];
        int k = left.shape()[left.rank() - 1];
        int k2 = right.shape()[right.rank() - 2];
        int n = right.shape()[right.rank() - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: " + Arrays.toString(a.shape()) + " @ " + Arrays.toString(b.shape())
                    + ": inner dimensions differ (" + k + " vs " + k2 + ")");
        }
        int[] batchShape;
        try {
            batchShape = Shape.broadcast("matmul", Arrays.copyOf(left.shape(), left.rank() - 2),
                    Arrays.copyOf(right.shape(), right.rank() - 2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("matmul: " + Arrays.toString(a.shape()) + " @ " + Arrays.toString(b.shape())
                    + ": batch dimensions cannot be broadcast", e);
        }
        int batch = Shape.numel(batchShape);
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[batchShape.length] = m;
        outShape[batchShape.length + 1] = n;
        NDArray out = NDArray.empty(dtype, outShape, a.device());
        if (out.size() > 0) {
            MatrixOperand ma = operand(left.astype(dtype), batchShape, m, k);
            MatrixOperand mb = operand(right.astype(dtype), batchShape, k, n);
            MatrixOperand mc = new MatrixOperand(out.storage(), 0, n, m * n, false);
            a.backend().gemm(batch, m, n, k, ma, mb, mc, false);
        }
        if (a.rank() == 1) {
            out = out.squeeze(-2);
        }
        if (b.rank() == 1) {
            out = out.squeeze(-1);
        }
        return out;
    }

    static NDArray addmmInPlace(NDArray out, NDArray a, NDArray b) {
        if (out.rank() != 2 || a.rank() != 2 || b.rank() != 2 || a.shape()[1] != b.shape()[0]
                || out.shape()[0] != a.shape()[0] || out.shape()[1] != b.shape()[1]) {
            throw new IllegalArgumentException("addmmi: expects [m, n] += [m, k] @ [k, n], got " + Arrays.toString(out.shape())
                    + " += " + Arrays.toString(a.shape()) + " @ " + Arrays.toString(b.shape()));
        }
        if (a.dtype() != out.dtype() || b.dtype() != out.dtype() || !out.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("addmmi: the operands must share the floating-point dtype of the array added"
                    + " to, got " + out.dtype() + " += " + a.dtype() + " @ " + b.dtype());
        }
        if (!out.isContiguous()) {
            throw new IllegalArgumentException("addmmi: the array added to must be contiguous, got shape "
                    + Arrays.toString(out.shape()) + " with strides " + Arrays.toString(out.strides()));
        }
        NDArray.checkSameDevice("addmmi", out, a);
        NDArray.checkSameDevice("addmmi", out, b);
        if (out.storage() == a.storage() || out.storage() == b.storage()) {
            throw new IllegalArgumentException("addmmi: the array added to shares memory with an operand; pass a copy() of the operand");
        }
        int m = a.shape()[0];
        int k = a.shape()[1];
        int n = b.shape()[1];
        if (m > 0 && n > 0 && k > 0) {
            int[] noBatch = new int[0];
            MatrixOperand ma = operand(a, noBatch, m, k);
            MatrixOperand mb = operand(b, noBatch, k, n);
            MatrixOperand mc = new MatrixOperand(out.storage(), out.offset(), n, m * n, false);
            out.backend().gemm(1, m, n, k, ma, mb, mc, true);
        }
        return out;
    }

    /** Describes {@code x} (a batch of rows x columns matrices) for GEMM, copying it only when its layout requires. */
    private static MatrixOperand operand(NDArray x, int[] batchShape, int rows, int columns) {
        int[] expanded = Arrays.copyOf(batchShape, batchShape.length + 2);
        expanded[batchShape.length] = rows;
        expanded[batchShape.length + 1] = columns;
        NDArray view = x.expand(expanded);
        MatrixOperand direct = describe(view, batchShape.length, rows, columns);
        if (direct != null) {
            return direct;
        }
        return describe(view.copy(), batchShape.length, rows, columns);
    }

    private static MatrixOperand describe(NDArray x, int batchRank, int rows, int columns) {
        int[] strides = x.strides();
        int rowStride = strides[batchRank];
        int columnStride = strides[batchRank + 1];
        Integer batchStride = collapsedBatchStride(x.shape(), strides, batchRank);
        if (batchStride == null) {
            return null;
        }
        if ((columnStride == 1 || columns == 1) && (rows == 1 || rowStride >= columns)) {
            return new MatrixOperand(x.storage(), x.offset(), rows == 1 ? Math.max(columns, 1) : rowStride, batchStride, false);
        }
        if ((rowStride == 1 || rows == 1) && (columns == 1 || columnStride >= rows)) {
            return new MatrixOperand(x.storage(), x.offset(), columns == 1 ? Math.max(rows, 1) : columnStride, batchStride, true);
        }
        return null;
    }

    /** One stride that steps through all batch dimensions in row-major order, or null when there is none. */
    private static Integer collapsedBatchStride(int[] shape, int[] strides, int batchRank) {
        Integer stride = null;
        long span = 1;
        for (int d = batchRank - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (stride == null) {
                stride = strides[d];
            } else if (strides[d] != stride * span) {
                return null;
            }
            span *= shape[d];
        }
        return stride == null ? 0 : stride;
    }
}
