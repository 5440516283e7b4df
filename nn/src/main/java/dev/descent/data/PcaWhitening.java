package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.SymmetricEigen;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PCA whitening fitted on training data: inputs are centered, rotated onto the principal axes of
 * the training covariance and scaled to unit variance along each, so the features come out
 * decorrelated with identity covariance:
 * <pre>
 *   C = (X &minus; &mu;)<sup>T</sup>(X &minus; &mu;) / (N &minus; 1) = V diag(&lambda;) V<sup>T</sup>
 *   z = diag(1 / &radic;(&lambda; + eps)) V<sup>T</sup> (x &minus; &mu;)       (components in order of decreasing variance)
 * </pre>
 * {@code components} keeps only the leading ones (dimensionality reduction). Inputs of any shape
 * [N, ...] are flattened to [N, features]. The fitted mean and projection are saved with the
 * model ({@link #state}). The eigendecomposition is exact but slow for many features (seconds
 * for a few hundred).
 */
public final class PcaWhitening implements Transform {
    private final NDArray mean;
    private final NDArray projection;
    /** The shape of one sample as fitted, e.g. [1, 28, 28]. */
    private final int[] sampleShape;

    private PcaWhitening(NDArray mean, NDArray projection, int[] sampleShape) {
        this.mean = mean;
        this.projection = projection;
        this.sampleShape = sampleShape;
    }

    /** Fits on {@code samples} [N, ...], keeping {@code components} directions, with {@code eps} added to each variance. */
    public static PcaWhitening fit(NDArray samples, int components, double eps) {
        if (samples.rank() < 2 || samples.shape(0) < 2) {
            throw new IllegalArgumentException("PcaWhitening.fit: expected at least 2 samples [N, ...], got shape "
                    + java.util.Arrays.toString(samples.shape()));
        }
        NDArray x = samples.astype(DType.FLOAT64).reshape(samples.shape(0), -1);
        int features = x.shape(1);
        if (components < 1 || components > features) {
            throw new IllegalArgumentException("PcaWhitening.fit: components must be in 1.." + features + ", got " + components);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("PcaWhitening.fit: eps must be >= 0, got " + eps);
        }
        NDArray mean = x.mean(new int[] {0}, false);
        NDArray centered = x.sub(mean);
        NDArray covariance = centered.t().matmul(centered).divi(x.shape(0) - 1);
        SymmetricEigen.Result eigen = SymmetricEigen.decompose(covariance);
        // eigenvalues ascend: the last columns are the leading components
        NDArray leading = eigen.vectors().slice(1, features - components, features, 1);
        NDArray variances = eigen.values().slice(0, features - components, features, 1);
        NDArray order = NDArray.arange(components - 1, -1, -1);
        NDArray scale = variances.indexSelect(0, order).add(eps).rsqrt();
        NDArray projection = leading.indexSelect(1, order).t().mul(scale.unsqueeze(1)).contiguous();
        return new PcaWhitening(mean, projection, java.util.Arrays.copyOfRange(samples.shape(), 1, samples.rank()));
    }

    @Override
    public NDArray apply(NDArray input) {
        int[] shape = input.shape();
        boolean single = java.util.Arrays.equals(shape, sampleShape);
        boolean batch = shape.length == sampleShape.length + 1
                && java.util.Arrays.equals(java.util.Arrays.copyOfRange(shape, 1, shape.length), sampleShape);
        if (!single && !batch) {
            throw new IllegalArgumentException("PcaWhitening: fitted on samples of shape " + java.util.Arrays.toString(sampleShape)
                    + ", got " + java.util.Arrays.toString(shape) + " (expected one sample or a batch [N, ...] of them)");
        }
        NDArray x = input.astype(DType.FLOAT64).reshape(single ? 1 : shape[0], -1);
        NDArray z = x.sub(mean).matmul(projection.t());
        return (single ? z.reshape(-1) : z).astype(input.dtype().toFloatingPoint());
    }

    /** The number of output features. */
    public int components() {
        return projection.shape(0);
    }

    /** The fitted mean and projection by name, for saving beside the weights. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        state.put("pca.mean", mean);
        state.put("pca.projection", projection);
        state.put("pca.sampleShape", NDArray.of(sampleShape));
        return state;
    }

    public static PcaWhitening fromState(Map<String, NDArray> state) {
        NDArray mean = state.get("pca.mean");
        NDArray projection = state.get("pca.projection");
        NDArray shape = state.get("pca.sampleShape");
        if (mean == null || projection == null || shape == null) {
            throw new IllegalArgumentException("PcaWhitening.fromState: needs pca.mean, pca.projection and pca.sampleShape, got "
                    + state.keySet());
        }
        return new PcaWhitening(mean, projection, shape.toIntArray());
    }
}
