package dev.descent.core.cpu;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels;
import dev.descent.core.FusedKernels.AdamArrays;
import dev.descent.core.FusedKernels.AdamStep;
import dev.descent.core.FusedKernels.SgdArrays;
import dev.descent.core.FusedKernels.SgdStep;
import dev.descent.core.NDArray;

/**
 * Fused optimizer updates on the CPU: one pass over the arrays instead of one pass (and one
 * temporary) per arithmetic step. Each element is computed in the order of the composed form
 * ({@link FusedKernels#sgdUpdate}, {@link FusedKernels#adamUpdate}), in the arrays' own precision, and
 * stored once. Used when every array is contiguous with the same offset and dtype: one index
 * then addresses all of them, which lets the JIT vectorize the loop (an optimizer step runs at
 * about the speed of copying the arrays it writes).
 */
final class CpuOptimizerKernels {
    /** Elements per thread at least: the same threshold as the elementwise kernels (a hand-off costs under a microsecond). */
    private static final int GRAIN = StridedLoop.PARALLEL_THRESHOLD;

    private CpuOptimizerKernels() {
    }

    /** Whether all the (non-null) arrays can be walked with one shared index. */
    static boolean fusable(NDArray first, NDArray... others) {
        if (!first.isContiguous() || !first.dtype().isFloatingPoint()) {
            return false;
        }
        for (NDArray x : others) {
            if (x != null && (!x.isContiguous() || x.offset() != first.offset() || x.dtype() != first.dtype()
                    || !java.util.Arrays.equals(x.shape(), first.shape()))) {
                return false;
            }
        }
        return true;
    }

    static void sgd(SgdArrays arrays, SgdStep step) {
        NDArray param = arrays.param();
        int offset = param.offset();
        boolean isFloat = param.dtype() == DType.FLOAT32;
        CpuStorage p = (CpuStorage) param.storage();
        CpuStorage g = (CpuStorage) arrays.grad().storage();
        CpuStorage b = arrays.momentumBuffer() == null ? null : (CpuStorage) arrays.momentumBuffer().storage();
        Parallel.forRange(param.size(), GRAIN, (start, end) -> {
            if (isFloat) {
                sgdFloat(p.floats, g.floats, b == null ? null : b.floats, offset + start, offset + end, step);
            } else {
                sgdDouble(p.doubles, g.doubles, b == null ? null : b.doubles, offset + start, offset + end, step);
            }
        });
    }

    private static void sgdFloat(float[] p, float[] g, float[] b, int start, int end, SgdStep step) {
        float rate = (float) step.lr();
        float decay = (float) step.weightDecay();
        float m = (float) step.momentum();
        float keep = (float) (1 - step.dampening());
        boolean firstStep = step.firstStep();
        boolean nesterov = step.nesterov();
        if (b == null) {
            for (int i = start; i < end; i++) {
                float d = g[i] + p[i] * decay;
                p[i] = p[i] - d * rate;
            }
            return;
        }
        for (int i = start; i < end; i++) {
            float d = g[i] + p[i] * decay;
            float buffer = firstStep ? d : b[i] * m + d * keep;
            b[i] = buffer;
            float direction = nesterov ? d + buffer * m : buffer;
            p[i] = p[i] - direction * rate;
        }
    }

    private static void sgdDouble(double[] p, double[] g, double[] b, int start, int end, SgdStep step) {
        double lr = step.lr();
        double momentum = step.momentum();
        double dampening = step.dampening();
        double weightDecay = step.weightDecay();
        boolean firstStep = step.firstStep();
        boolean nesterov = step.nesterov();
        if (b == null) {
            for (int i = start; i < end; i++) {
                double d = weightDecay != 0 ? g[i] + p[i] * weightDecay : g[i];
                p[i] = p[i] - d * lr;
            }
            return;
        }
        for (int i = start; i < end; i++) {
            double d = weightDecay != 0 ? g[i] + p[i] * weightDecay : g[i];
            double buffer = firstStep ? d : b[i] * momentum + d * (1 - dampening);
            b[i] = buffer;
            double direction = nesterov ? d + buffer * momentum : buffer;
            p[i] = p[i] - direction * lr;
        }
    }

    static void adam(AdamArrays arrays, AdamStep step) {
        NDArray param = arrays.param();
        int offset = param.offset();
        boolean isFloat = param.dtype() == DType.FLOAT32;
        CpuStorage p = (CpuStorage) param.storage();
        CpuStorage g = (CpuStorage) arrays.grad().storage();
        CpuStorage m = (CpuStorage) arrays.average().storage();
        CpuStorage v = (CpuStorage) arrays.squareAverage().storage();
        CpuStorage vMax = arrays.maxSquare() == null ? null : (CpuStorage) arrays.maxSquare().storage();
        Parallel.forRange(param.size(), GRAIN, (start, end) -> {
            if (isFloat) {
                adamFloat(p.floats, g.floats, m.floats, v.floats, vMax == null ? null : vMax.floats, offset + start, offset + end, step);
            } else {
                adamDouble(p.doubles, g.doubles, m.doubles, v.doubles, vMax == null ? null : vMax.doubles, offset + start,
                        offset + end, step);
            }
        });
    }

    private static void adamFloat(float[] p, float[] g, float[] m, float[] v, float[] vMax, int start, int end, AdamStep scalars) {
        float b1 = (float) scalars.beta1();
        float b2 = (float) scalars.beta2();
        float oneMinusB1 = (float) (1 - scalars.beta1());
        float oneMinusB2 = (float) (1 - scalars.beta2());
        float correction = (float) scalars.sqrtBiasCorrection2();
        float epsilon = (float) scalars.eps();
        float step = (float) -scalars.stepSize();
        float decay = (float) scalars.weightDecay();
        float shrink = (float) scalars.decoupledDecay();
        for (int i = start; i < end; i++) {
            float theta = p[i] * shrink;
            float d = g[i] + theta * decay;
            float first = m[i] * b1 + d * oneMinusB1;
            float second = v[i] * b2 + d * d * oneMinusB2;
            m[i] = first;
            v[i] = second;
            if (vMax != null) {
                second = Math.max(vMax[i], second);
                vMax[i] = second;
            }
            float denominator = (float) Math.sqrt(second) / correction + epsilon;
            p[i] = theta + first / denominator * step;
        }
    }

    private static void adamDouble(double[] p, double[] g, double[] m, double[] v, double[] vMax, int start, int end, AdamStep step) {
        double stepSize = step.stepSize();
        double sqrtBiasCorrection2 = step.sqrtBiasCorrection2();
        double beta1 = step.beta1();
        double beta2 = step.beta2();
        double eps = step.eps();
        double weightDecay = step.weightDecay();
        double decoupledDecay = step.decoupledDecay();
        for (int i = start; i < end; i++) {
            double theta = decoupledDecay != 1 ? p[i] * decoupledDecay : p[i];
            double d = weightDecay != 0 ? g[i] + theta * weightDecay : g[i];
            double first = m[i] * beta1 + d * (1 - beta1);
            double second = v[i] * beta2 + d * d * (1 - beta2);
            m[i] = first;
            v[i] = second;
            if (vMax != null) {
                second = Math.max(vMax[i], second);
                vMax[i] = second;
            }
            double denominator = Math.sqrt(second) / sqrtBiasCorrection2 + eps;
            p[i] = theta + first / denominator * -stepSize;
        }
    }
}
