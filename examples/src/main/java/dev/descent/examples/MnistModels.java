package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import java.util.List;

/**
 * The models {@code descent mnist --model} trains, by name:
 * <ul>
 *   <li>{@code mlp-bn}: {@link MlpBn}, 537,354 parameters, the benchmark model;</li>
 *   <li>{@code linear}: softmax regression on the 784 pixels, 7,850 parameters;</li>
 *   <li>{@code pooled-linear}: softmax regression on 7 &times; 7 averages of 4 &times; 4 pixel blocks
 *       ({@link PixelAveraging}), 500 parameters: small enough for BFGS's and Newton's dense n &times; n
 *       matrices (2 MB) on a 1 GB heap.</li>
 * </ul>
 */
final class MnistModels {
    static final String DEFAULT = "mlp-bn";
    /** The model for methods that form a dense matrix of all parameters. */
    static final String FOR_DENSE_METHODS = "pooled-linear";
    static final List<String> NAMES = List.of("mlp-bn", "linear", "pooled-linear");

    private MnistModels() {
    }

    /** The model {@code name}, its initial weights drawn from {@code weights} and its dropout masks (if any) from {@code dropout}. */
    static Sequential create(String name, Generator weights, Generator dropout) {
        return switch (name) {
            case "mlp-bn" -> MlpBn.create(weights, dropout);
            case "linear" -> new Sequential(new Flatten(), new Linear(784, 10, true, weights));
            case "pooled-linear" -> new Sequential(new PixelAveraging(4), new Linear(49, 10, true, weights));
            default -> throw new IllegalArgumentException("model: unknown name '" + name + "'; expected one of " + NAMES);
        };
    }

    /** For people: the model with its layer sizes and parameter count. */
    static String describe(String name) {
        return switch (name) {
            case "mlp-bn" -> "MLP-BN (784-512-256-10, batch norm, dropout; 537,354 parameters)";
            case "linear" -> "softmax regression (784-10; 7,850 parameters)";
            case "pooled-linear" -> "softmax regression on 4x4-pixel averages (49-10; 500 parameters)";
            default -> throw new IllegalArgumentException("model: unknown name '" + name + "'; expected one of " + NAMES);
        };
    }
}
