package dev.descent.core.cpu;

import dev.descent.core.Backend;
import dev.descent.core.DType;
import dev.descent.core.NDArray;

/**
 * The CPU's fused softmax cross-entropy ({@link Backend#softmaxCrossEntropy} and its backward) for
 * contiguous float32 or float64 rows: one pass per row finds the maximum, one sums the shifted
 * exponentials (in double) while writing them, one scales them to probabilities; the backward is
 * one pass. Composed from primitives the same loss took about a dozen kernels and as many
 * temporary arrays per step. Rows are shared over the threads when there are enough of them.
 */
final class CpuSoftmaxCrossEntropy {
    /** Rows per parallel chunk: a row of MNIST's 10 logits is a few dozen nanoseconds of work. */
    private static final int ROWS_PER_CHUNK = 256;

    private CpuSoftmaxCrossEntropy() {
    }

    static boolean fusable(NDArray logits, NDArray... others) {
        if ((logits.dtype() != DType.FLOAT32 && logits.dtype() != DType.FLOAT64) || logits.rank() != 2 || !logits.isContiguous()) {
            return false;
        }
        for (NDArray other : others) {
            if (!other.isContiguous() || (other.dtype() != logits.dtype() && other.dtype() != DType.INT32)) {
                return false;
            }
        }
        return true;
    }

    static void forward(NDArray logits, NDArray targets, int ignoreIndex, NDArray losses, NDArray probabilities) {
        int rows = logits.shape()[0];
        int classes = logits.shape()[1];
        CpuStorage in = (CpuStorage) logits.storage();
        CpuStorage out = (CpuStorage) probabilities.storage();
        CpuStorage loss = (CpuStorage) losses.storage();
        int[] target = ((CpuStorage) targets.storage()).ints;
        Parallel.forRange(rows, ROWS_PER_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                int from = logits.offset() + i * classes;
                int to = probabilities.offset() + i * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, in.get(from + c));
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    double e = Math.exp(in.get(from + c) - max);
                    out.set(to + c, e);
                    sum += e;
                }
                double inverse = 1 / sum;
                for (int c = 0; c < classes; c++) {
                    out.set(to + c, out.get(to + c) * inverse);
                }
                int y = target[targets.offset() + i];
                double value = y == ignoreIndex ? 0 : Math.log(sum) - (in.get(from + y) - max);
                loss.set(losses.offset() + i, value);
            }
        });
    }

    static void backward(NDArray probabilities, NDArray targets, int ignoreIndex, NDArray gradLosses, NDArray gradLogits) {
        int rows = probabilities.shape()[0];
        int classes = probabilities.shape()[1];
        CpuStorage p = (CpuStorage) probabilities.storage();
        CpuStorage g = (CpuStorage) gradLosses.storage();
        CpuStorage out = (CpuStorage) gradLogits.storage();
        int[] target = ((CpuStorage) targets.storage()).ints;
        Parallel.forRange(rows, ROWS_PER_CHUNK, (start, end) -> {
            for (int i = start; i < end; i++) {
                int y = target[targets.offset() + i];
                double scale = y == ignoreIndex ? 0 : g.get(gradLosses.offset() + i);
                int from = probabilities.offset() + i * classes;
                int to = gradLogits.offset() + i * classes;
                for (int c = 0; c < classes; c++) {
                    out.set(to + c, scale * (p.get(from + c) - (c == y ? 1 : 0)));
                }
            }
        });
    }
}
