package dev.descent.core.cpu;

import dev.descent.core.Backend.ReduceOp;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.ReductionDimensions;
import dev.descent.core.Shape;

/**
 * Reductions on the CPU. The output elements are split across threads; each is reduced over its
 * block of input elements in row-major order, so results do not depend on the thread count.
 * Floating-point values accumulate in double precision; integers in a long, and a sum or product
 * that leaves the INT32 range is an error rather than a wrapped value.
 */
final class CpuReductions {
    private CpuReductions() {
    }

    /** Splits {@code x}'s dimensions into the kept ones (walked per output element) and the reduced block. */
    private record Plan(int[] keptShape, int[] keptStrides, int[] outStrides, StridedLoop block, int blockSize) {
        static Plan of(NDArray x, int[] dims, NDArray out) {
            ReductionDimensions split = ReductionDimensions.of(x, dims);
            return new Plan(split.keptShape(), split.keptStrides(), out.strides(),
                    StridedLoop.overBlock(split.reducedShape(), split.reducedStrides()), Shape.numel(split.reducedShape()));
        }

        /** Calls {@code body(xBase, outOffset)} for output elements {@code [start, end)}. */
        void forEachOutput(NDArray x, NDArray out, int start, int end, OutputBody body) {
            int rank = keptShape.length;
            int[] index = new int[rank];
            for (int o = start; o < end; o++) {
                int remainder = o;
                int xBase = x.offset();
                int outOffset = out.offset();
                for (int d = rank - 1; d >= 0; d--) {
                    index[d] = remainder % keptShape[d];
                    remainder /= keptShape[d];
                    xBase += index[d] * keptStrides[d];
                    outOffset += index[d] * outStrides[d];
                }
                body.run(xBase, outOffset);
            }
        }

        int grain() {
            return Math.max(1, StridedLoop.PARALLEL_THRESHOLD / Math.max(1, blockSize));
        }
    }

    @FunctionalInterface
    private interface OutputBody {
        void run(int xBase, int outOffset);
    }

    static void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out) {
        if (leadingSum(op, x, dims, out)) {
            return;
        }
        Plan plan = Plan.of(x, dims, out);
        CpuStorage source = (CpuStorage) x.storage();
        CpuStorage target = (CpuStorage) out.storage();
        Parallel.forRange(out.size(), plan.grain(), (start, end) -> plan.forEachOutput(x, out, start, end,
                (xBase, outOffset) -> {
                    if (x.dtype() == DType.INT32) {
                        target.ints[outOffset] = reduceInts(op, source.ints, xBase, plan.block);
                    } else {
                        target.set(outOffset, reduceReals(op, source, xBase, plan.block));
                    }
                }));
    }

    /**
     * Sums over the leading dimensions of a contiguous float32 array into a contiguous output
     * (batch norm's per-feature sums, bias gradients): row by row into a double accumulator per
     * output, which adds in the same row-major order as the general path, so the result is the same,
     * but reads memory once, in order, and vectorizes. Returns false when the case does not apply.
     */
    private static boolean leadingSum(ReduceOp op, NDArray x, int[] dims, NDArray out) {
        if (op != ReduceOp.SUM || x.dtype() != DType.FLOAT32 || out.dtype() != DType.FLOAT32 || !x.isContiguous() || !out.isContiguous()) {
            return false;
        }
        int[] sorted = dims.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != i) {
                return false;
            }
        }
        int columns = out.size();
        int rows = columns == 0 ? 0 : x.size() / columns;
        if (rows < 2 || columns < 2) {
            return false;
        }
        float[] v = ((CpuStorage) x.storage()).floats;
        float[] target = ((CpuStorage) out.storage()).floats;
        int base = x.offset();
        int outBase = out.offset();
        int grain = Math.max(64, StridedLoop.PARALLEL_THRESHOLD / rows);
        Parallel.forRange(columns, grain, (start, end) -> {
            double[] acc = new double[end - start];
            for (int i = 0; i < rows; i++) {
                int row = base + i * columns + start;
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += v[row + j];
                }
            }
            for (int j = 0; j < acc.length; j++) {
                target[outBase + start + j] = (float) acc[j];
            }
        });
        return true;
    }

    private static double reduceReals(ReduceOp op, CpuStorage source, int base, StridedLoop block) {
        double[] acc = {initial(op)};
        int stride = block.innerStride(0);
        block.runSerial((offsets, n) -> {
            int o = base + offsets[0];
            double a = acc[0];
            if (source.floats != null && op == ReduceOp.SUM) {
                // the common case with the op out of the loop; the same order, so the same sum
                float[] v = source.floats;
                for (int i = 0; i < n; i++) a += v[o + i * stride];
            } else if (source.floats != null) {
                float[] v = source.floats;
                for (int i = 0; i < n; i++) a = combine(op, a, v[o + i * stride]);
            } else if (op == ReduceOp.SUM) {
                double[] v = source.doubles;
                for (int i = 0; i < n; i++) a += v[o + i * stride];
            } else {
                double[] v = source.doubles;
                for (int i = 0; i < n; i++) a = combine(op, a, v[o + i * stride]);
            }
            acc[0] = a;
        });
        return acc[0];
    }

    private static int reduceInts(ReduceOp op, int[] v, int base, StridedLoop block) {
        long[] acc = {(long) initial(op)};
        int stride = block.innerStride(0);
        block.runSerial((offsets, n) -> {
            int o = base + offsets[0];
            long a = acc[0];
            for (int i = 0; i < n; i++) {
                long value = v[o + i * stride];
                a = switch (op) {
                    case SUM -> a + value;
                    case PROD -> a * value;
                    case MAX -> Math.max(a, value);
                    case MIN -> Math.min(a, value);
                };
                if (a != (int) a) {
                    throw new ArithmeticException(op.name().toLowerCase() + ": the result leaves the INT32 range;"
                            + " convert with astype(DType.FLOAT64) first");
                }
            }
            acc[0] = a;
        });
        return (int) acc[0];
    }

    private static double initial(ReduceOp op) {
        return switch (op) {
            case SUM -> 0.0;
            case PROD -> 1.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    private static double combine(ReduceOp op, double acc, double value) {
        return switch (op) {
            case SUM -> acc + value;
            case PROD -> acc * value;
            case MAX -> Math.max(acc, value);
            case MIN -> Math.min(acc, value);
        };
    }

    static void argReduce(ReduceOp op, NDArray x, int dim, NDArray out) {
        Plan plan = Plan.of(x, new int[] {dim}, out);
        CpuStorage source = (CpuStorage) x.storage();
        int[] target = ((CpuStorage) out.storage()).ints;
        int length = x.shape()[dim];
        int stride = x.strides()[dim];
        boolean max = op == ReduceOp.MAX;
        Parallel.forRange(out.size(), plan.grain(), (start, end) -> plan.forEachOutput(x, out, start, end,
                (xBase, outOffset) -> {
                    int best = 0;
                    double bestValue = source.get(xBase);
                    for (int i = 1; i < length && !Double.isNaN(bestValue); i++) {
                        double value = source.get(xBase + i * stride);
                        if (Double.isNaN(value) || (max ? value > bestValue : value < bestValue)) {
                            best = i;
                            bestValue = value;
                        }
                    }
                    target[outOffset] = best;
                }));
    }
}
