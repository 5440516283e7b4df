package dev.descent.data;

import dev.descent.core.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-feature standardization fitted on training data: each feature (each pixel) gets zero mean
 * and unit variance. The fitted mean and standard deviation are saved with the model
 * ({@link #state}) and restored with {@link #fromState}, so test data is transformed with the
 * training statistics.
 *
 * <pre>{@code
 * Standardize standardize = Standardize.fit(trainImages);    // [N, features...]
 * NDArray x = standardize.apply(testImages);
 * }</pre>
 */
public final class Standardize implements Transform {
    /** Features with a smaller standard deviation (constant pixels) are only centered. */
    private static final double MIN_STD = 1e-6;

    private final NDArray mean;
    private final NDArray std;

    private Standardize(NDArray mean, NDArray std) {
        this.mean = mean;
        this.std = std;
    }

    /** Fits on {@code samples} [N, ...]: the mean and population standard deviation of every feature. */
    public static Standardize fit(NDArray samples) {
        if (samples.rank() < 2 || samples.shape(0) < 2) {
            throw new IllegalArgumentException("Standardize.fit: expected at least 2 samples [N, ...], got shape "
                    + java.util.Arrays.toString(samples.shape()));
        }
        NDArray x = samples.astype(samples.dtype().toFloatingPoint());
        NDArray mean = x.mean(new int[] {0}, false);
        NDArray std = x.std(new int[] {0}, 0, false);
        return new Standardize(mean, std.maximum(MIN_STD));
    }

    @Override
    public NDArray apply(NDArray input) {
        return input.sub(mean).divi(std);
    }

    /** The fitted values by name, for saving beside the weights. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        state.put("standardize.mean", mean);
        state.put("standardize.std", std);
        return state;
    }

    /** The transform saved by {@link #state}. */
    public static Standardize fromState(Map<String, NDArray> state) {
        NDArray mean = state.get("standardize.mean");
        NDArray std = state.get("standardize.std");
        if (mean == null || std == null) {
            throw new IllegalArgumentException("Standardize.fromState: needs standardize.mean and standardize.std, got " + state.keySet());
        }
        return new Standardize(mean, std);
    }
}
