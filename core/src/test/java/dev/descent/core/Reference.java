package dev.descent.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Plain float64 reference computations on row-major {@code double[]} data, written with nothing
 * but index arithmetic so they share no code with the implementation under test; plus the random
 * shapes and the non-contiguous layouts the property tests run over.
 */
final class Reference {
    private Reference() {
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    static int ravel(int[] index, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    /** A random shape of rank {@code minRank..maxRank}, sizes 1..maxSize. */
    static int[] randomShape(Generator g, int minRank, int maxRank, int maxSize) {
        int rank = minRank + g.nextInt(maxRank - minRank + 1);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = 1 + g.nextInt(maxSize);
        }
        return shape;
    }

    static double[] randomValues(Generator g, int n, double low, double high) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = low + (high - low) * g.nextDouble();
        }
        return values;
    }

    /** Values rounded to what the dtype can hold, so the reference sees the same inputs. */
    static double[] roundTo(DType dtype, double[] values) {
        double[] result = values.clone();
        for (int i = 0; i < result.length; i++) {
            result[i] = switch (dtype) {
                case FLOAT32 -> (float) result[i];
                case FLOAT64 -> result[i];
                case INT32 -> Math.rint(result[i]);
            };
        }
        return result;
    }

    /**
     * The same logical array in several memory layouts: contiguous; stored with the dimensions
     * reversed and viewed through permute; every other element of a wider buffer viewed through
     * a slice with step 2; and a narrow window at an offset into a larger buffer.
     */
    static List<NDArray> layouts(double[] truth, int[] shape, DType dtype) {
        List<NDArray> result = new ArrayList<>();
        int n = truth.length;
        result.add(NDArray.of(truth).reshape(shape.clone()).astype(dtype));
        int rank = shape.length;
        if (rank >= 2) {
            int[] reversed = new int[rank];
            int[] order = new int[rank];
            for (int d = 0; d < rank; d++) {
                reversed[d] = shape[rank - 1 - d];
                order[d] = rank - 1 - d;
            }
            double[] stored = new double[n];
            for (int i = 0; i < n; i++) {
                int[] index = unravel(i, shape);
                int[] rindex = new int[rank];
                for (int d = 0; d < rank; d++) {
                    rindex[d] = index[rank - 1 - d];
                }
                stored[ravel(rindex, reversed)] = truth[i];
            }
            result.add(NDArray.of(stored, reversed).astype(dtype).permute(order));
        }
        if (rank >= 1) {
            int last = shape[rank - 1];
            int[] wide = shape.clone();
            wide[rank - 1] = 2 * last + 1;
            double[] stored = new double[numel(wide)];
            java.util.Arrays.fill(stored, Double.NaN);
            for (int i = 0; i < n; i++) {
                int[] index = unravel(i, shape);
                index[rank - 1] = 2 * index[rank - 1] + 1;
                stored[ravel(index, wide)] = truth[i];
            }
            NDArray base = NDArray.of(stored, wide);
            result.add(base.astype(dtype).slice(rank - 1, 1, 2 * last + 1, 2));
            double[] padded = new double[n + 7];
            System.arraycopy(truth, 0, padded, 5, n);
            result.add(NDArray.of(padded, n + 7).astype(dtype).narrow(0, 5, n).view(shape.clone()));
        }
        return result;
    }

    static double[] map(double[] x, DoubleUnaryOperator f) {
        double[] result = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            result[i] = f.applyAsDouble(x[i]);
        }
        return result;
    }

    static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] result = new int[rank];
        for (int i = 0; i < rank; i++) {
            int sa = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int sb = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            result[i] = Math.max(sa, sb);
        }
        return result;
    }

    /** The element of {@code values} (shape {@code shape}) that broadcasting maps to {@code outIndex}. */
    static double broadcastGet(double[] values, int[] shape, int[] outIndex) {
        int lead = outIndex.length - shape.length;
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            int i = shape[d] == 1 ? 0 : outIndex[d + lead];
            flat = flat * shape[d] + i;
        }
        return values[flat];
    }

    static double[] binary(double[] a, int[] as, double[] b, int[] bs, DoubleBinaryOperator f) {
        int[] out = broadcastShape(as, bs);
        double[] result = new double[numel(out)];
        for (int i = 0; i < result.length; i++) {
            int[] index = unravel(i, out);
            result[i] = f.applyAsDouble(broadcastGet(a, as, index), broadcastGet(b, bs, index));
        }
        return result;
    }

    /** Reduces over {@code reduced[d] == true} dimensions, combining in row-major order from {@code init}. */
    static double[] reduce(double[] x, int[] shape, boolean[] reduced, double init, DoubleBinaryOperator f) {
        int[] outShape = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            outShape[d] = reduced[d] ? 1 : shape[d];
        }
        double[] result = new double[numel(outShape)];
        java.util.Arrays.fill(result, init);
        for (int i = 0; i < x.length; i++) {
            int[] index = unravel(i, shape);
            for (int d = 0; d < shape.length; d++) {
                if (reduced[d]) {
                    index[d] = 0;
                }
            }
            int o = ravel(index, outShape);
            result[o] = f.applyAsDouble(result[o], x[i]);
        }
        return result;
    }

    /** Naive triple loop: a is m x k, b is k x n, both row-major. */
    static double[] matmul(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }
}
