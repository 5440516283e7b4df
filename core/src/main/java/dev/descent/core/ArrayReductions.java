package dev.descent.core;

import dev.descent.core.Backend.ReduceOp;
import java.util.Arrays;

/**
 * NDArray's reductions: the backend's primitives (sum, prod, max, min, argmax, argmin) and the
 * statistics composed from them (mean, var, std, logSumExp, norm).
 */
final class ArrayReductions {
    private ArrayReductions() {
    }

    /** Every dimension of an array of rank {@code rank}. */
    static int[] all(int rank) {
        int[] dims = new int[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = d;
        }
        return dims;
    }

    /** The dimensions made non-negative and sorted; a repeated dimension is an error. */
    static int[] normalizeDims(String op, int[] dims, int rank) {
        int[] result = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            result[i] = Shape.normalizeDim(op, dims[i], rank);
        }
        Arrays.sort(result);
        for (int i = 1; i < result.length; i++) {
            if (result[i] == result[i - 1]) {
                throw new IllegalArgumentException(op + ": dimension " + result[i] + " appears twice in " + Arrays.toString(dims));
            }
        }
        return result;
    }

    /** The shape left after reducing {@code dims} (sorted): removed, or kept as size 1. */
    static int[] reducedShape(int[] shape, int[] dims, boolean keepDim) {
        int[] result = keepDim ? shape.clone() : new int[shape.length - dims.length];
        int k = 0;
        int next = 0;
        for (int d = 0; d < shape.length; d++) {
            boolean reduced = next < dims.length && dims[next] == d;
            if (reduced) {
                next++;
                if (keepDim) {
                    result[d] = 1;
                }
            } else if (!keepDim) {
                result[k++] = shape[d];
            }
        }
        return result;
    }

    static NDArray reduce(String op, ReduceOp kind, NDArray x, int[] dims, boolean keepDim, DType dtype) {
        int[] sorted = normalizeDims(op, dims, x.rank());
        if (kind == ReduceOp.MAX || kind == ReduceOp.MIN) {
            for (int d : sorted) {
                if (x.shape()[d] == 0) {
                    throw new IllegalArgumentException(op + ": cannot reduce dimension " + d + " of size 0 in shape "
                            + Arrays.toString(x.shape()) + " (the result is undefined)");
                }
            }
        }
        NDArray source = x.astype(dtype);
        NDArray out = NDArray.empty(dtype, reducedShape(x.shape(), sorted, false), x.device());
        x.backend().reduce(kind, source, sorted, out);
        ArrayArithmetic.releaseTemporary(source, x);
        return keepDim ? out.reshape(reducedShape(x.shape(), sorted, true)) : out;
    }

    /** The number of elements each output of a reduction over {@code dims} combines. */
    static int count(NDArray x, int[] dims) {
        int count = 1;
        for (int d : normalizeDims("reduce", dims, x.rank())) {
            count *= x.shape()[d];
        }
        return count;
    }

    static NDArray mean(NDArray x, int[] dims, boolean keepDim) {
        DType dtype = x.dtype().toFloatingPoint();
        NDArray sum = reduce("mean", ReduceOp.SUM, x, dims, keepDim, dtype);
        return sum.divi(count(x, dims));
    }

    /** Variance with Bessel-style {@code correction}: the sum of squared deviations over (N - correction). */
    static NDArray var(String op, NDArray x, int[] dims, int correction, boolean keepDim) {
        if (correction < 0) {
            throw new IllegalArgumentException(op + ": correction must be >= 0, got " + correction);
        }
        DType dtype = x.dtype().toFloatingPoint();
        NDArray values = x.astype(dtype);
        NDArray centered = values.sub(mean(values, dims, true));
        NDArray squares = reduce(op, ReduceOp.SUM, centered.square(), dims, keepDim, dtype);
        // as in PyTorch, N <= correction gives inf or NaN rather than an error
        return squares.divi(Math.max(0, count(x, dims) - correction));
    }

    /** log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the maximum, so nothing overflows. */
    static NDArray logSumExp(NDArray x, int[] dims, boolean keepDim) {
        NDArray values = x.astype(x.dtype().toFloatingPoint());
        NDArray max = reduce("logSumExp", ReduceOp.MAX, values, dims, true, values.dtype());
        // an infinite maximum (all -inf, or a +inf) must not be subtracted: inf - inf is NaN
        NDArray shift = NDArray.where(max.abs().lt(Double.POSITIVE_INFINITY), max, max.zerosLike());
        NDArray sums = reduce("logSumExp", ReduceOp.SUM, values.sub(shift).exp(), dims, true, values.dtype());
        NDArray result = sums.log().addi(shift);
        return keepDim ? result : result.reshape(reducedShape(x.shape(), normalizeDims("logSumExp", dims, x.rank()), false));
    }

    /** The p-norm: p = 1, 2, any other positive p, or +infinity (the largest magnitude). */
    static NDArray norm(NDArray x, double p, int[] dims, boolean keepDim) {
        if (!(p > 0)) {
            throw new IllegalArgumentException("norm: p must be positive (1, 2, a positive number or infinity), got " + p);
        }
        DType dtype = x.dtype().toFloatingPoint();
        if (p == 2) {
            if (dims.length == x.rank() && !keepDim && x.dtype().isFloatingPoint()) {
                // the whole array: the backend's fused sum of squares, without a squared copy, and no read-back
                NDArray total = NDArray.empty(DType.FLOAT64, new int[0], x.device()).fill(0);
                x.backend().sumOfSquares(x, total);
                NDArray norm = total.sqrt().astype(dtype);
                ArrayArithmetic.releaseTemporary(total, norm);
                return norm;
            }
            // squares need no absolute value first: one pass fewer over the data
            return reduce("norm", ReduceOp.SUM, x.astype(dtype).square(), dims, keepDim, dtype).sqrt();
        }
        NDArray magnitudes = x.astype(dtype).abs();
        if (p == Double.POSITIVE_INFINITY) {
            return reduce("norm", ReduceOp.MAX, magnitudes, dims, keepDim, dtype);
        }
        if (p == 1) {
            return reduce("norm", ReduceOp.SUM, magnitudes, dims, keepDim, dtype);
        }

        return reduce("norm", ReduceOp.SUM, magnitudes.pow(p), dims, keepDim, dtype).pow(1.0 / p);
    }

    static NDArray argReduce(String op, ReduceOp kind, NDArray x, int dim, boolean keepDim) {
        int d = Shape.normalizeDim(op, dim, x.rank());
        if (x.shape()[d] == 0) {
            throw new IllegalArgumentException(op + ": dimension " + d + " of shape " + Arrays.toString(x.shape())
                    + " has size 0, so there is no element to point to");
        }
        int[] dims = {d};
        NDArray out = NDArray.empty(DType.INT32, reducedShape(x.shape(), dims, false), x.device());
        x.backend().argReduce(kind, x, d, out);
        return keepDim ? out.reshape(reducedShape(x.shape(), dims, true)) : out;
    }

    /** argmax/argmin of the whole array: a scalar index into the flattened (row-major) array. */
    static NDArray argReduceAll(String op, ReduceOp kind, NDArray x) {
        if (x.size() == 0) {
            throw new IllegalArgumentException(op + ": the array of shape " + Arrays.toString(x.shape()) + " is empty");
        }
        return argReduce(op, kind, x.reshape(-1), 0, false);
    }
}
