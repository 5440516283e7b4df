package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * Normalizes over the last dimensions (those of {@code normalizedShape}) of each sample:
 * y = (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance; weight and bias
 * have {@code normalizedShape} and start at ones and zeros.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /** eps 1e-5 with an elementwise affine transform. */
    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true, DType.FLOAT32);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape needs at least one dimension");
        }
        for (int size : normalizedShape) {
            if (size <= 0) {
                throw new IllegalArgumentException("LayerNorm: sizes must be positive, got " + Arrays.toString(normalizedShape));
            }
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        weight = elementwiseAffine ? registerParameter("weight", new Parameter(NDArray.ones(dtype, normalizedShape))) : null;
        bias = elementwiseAffine ? registerParameter("bias", new Parameter(NDArray.zeros(dtype, normalizedShape))) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        int k = normalizedShape.length;
        int[] shape = input.shape();
        if (shape.length < k || !Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: expected an input ending in " + Arrays.toString(normalizedShape)
                    + ", got " + Arrays.toString(shape));
        }
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) {
            dims[i] = shape.length - k + i;
        }
        Tensor normalized = input.sub(input.mean(dims, true)).div(input.var(dims, 0, true).add(eps).sqrt());
        return weight == null ? normalized : normalized.mul(weight).add(bias);
    }

    @Override
    protected String describe() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps;
    }
}
