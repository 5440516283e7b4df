package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * The models {@code descent mnist --model} trains, by name:
 * <ul>
 *   <li>{@code mlp-bn}: {@link MlpBn}, 537,354 parameters, the benchmark model; {@code --width},
 *       {@code --depth}, {@code --no-batchnorm} and {@code --dropout} vary it;</li>
 *   <li>{@code linear}: softmax regression on the 784 pixels, 7,850 parameters;</li>
 *   <li>{@code pooled-linear}: softmax regression on 7 &times; 7 averages of 4 &times; 4 pixel blocks
 *       ({@link PixelAveraging}), 500 parameters: small enough for BFGS's and Newton's dense n &times; n
 *       matrices (2 MB) on a 1 GB heap.</li>
 *   <li>{@code cnn}: {@link MnistCnn}, two 3 &times; 3 convolutions with batch norm and max pooling,
 *       then two linear layers; 421,866 parameters.</li>
 * </ul>
 */
final class MnistModels {
    static final String DEFAULT = "mlp-bn";
    /** The model for methods that form a dense matrix of all parameters. */
    static final String FOR_DENSE_METHODS = "pooled-linear";
    static final List<String> NAMES = List.of("mlp-bn", "linear", "pooled-linear", "cnn");
    static final List<String> ACTIVATIONS = List.of("relu", "sigmoid", "tanh");
    /** MLP-BN's hidden widths, and the narrowest its tapering goes when {@code --depth} adds layers without {@code --width}. */
    static final List<Integer> MLP_BN_WIDTHS = List.of(512, 256);
    static final int NARROWEST_TAPER = 32;

    private MnistModels() {
    }

    /**
     * A model to build: its name and, for {@code mlp-bn}, the hidden layers' widths, whether each is
     * followed by batch norm, the dropout probability after each activation (0: no dropout layers),
     * the activation (relu, sigmoid or tanh) and whether the weights start from He's initialization
     * (normal, std &radic;(2 / fan-in)) rather than PyTorch's default for Linear.
     */
    record Spec(String name, List<Integer> hidden, boolean batchNorm, double dropout, String activation, boolean heInit) {
        /** The MLP with the default activation (ReLU) and initialization. */
        Spec(String name, List<Integer> hidden, boolean batchNorm, double dropout) {
            this(name, hidden, batchNorm, dropout, "relu", false);
        }

        /** The model, its initial weights drawn from {@code weights} and its dropout masks from {@code dropoutGenerator}. */
        Sequential create(Generator weights, Generator dropoutGenerator) {
            return switch (name) {
                case "mlp-bn" -> MlpBn.create(hidden, batchNorm, dropout, activation, heInit, weights, dropoutGenerator);
                case "linear" -> new Sequential(new Flatten(), new Linear(784, 10, true, weights));
                case "pooled-linear" -> new Sequential(new PixelAveraging(4), new Linear(49, 10, true, weights));
                case "cnn" -> MnistCnn.create(weights, dropoutGenerator);
                default -> throw new IllegalArgumentException("model: unknown name '" + name + "'; expected one of " + NAMES);
            };
        }

        /**
         * The batch the test set is evaluated in: 1,000 images, or 200 for the CNN, whose first
         * layers' outputs (32 x 28 x 28 values an image) would otherwise make 100 MB arrays that the
         * collector cannot keep in the young generation.
         */
        int evaluationBatch() {
            return name.equals("cnn") ? 200 : 1000;
        }

        /**
         * Whether training on a GPU prepares each batch on the host rather than holding the prepared training set on the
         * device (the CNN, whose step is long enough to hide it); on the CPU every model trains from batches prepared on demand.
         */
        boolean preparesImagesPerBatch() {
            return name.equals("cnn");
        }

        /** The same MLP with another activation and initialization. */
        Spec with(String activation, boolean heInit) {
            if (!ACTIVATIONS.contains(activation)) {
                throw new IllegalArgumentException("model: unknown activation '" + activation + "'; expected one of " + ACTIVATIONS);
            }
            return new Spec(name, hidden, batchNorm, dropout, activation, heInit);
        }

        /** The trainable parameters: weights and biases, and batch norm's scale and shift. */
        long parameterCount() {
            return switch (name) {
                case "linear" -> 7_850;
                case "pooled-linear" -> 500;
                case "cnn" -> MnistCnn.PARAMETERS;
                default -> {
                    long count = 0;
                    int in = 784;
                    for (int width : hidden) {
                        count += (long) in * width + width + (batchNorm ? 2L * width : 0);
                        in = width;
                    }
                    yield count + in * 10L + 10;
                }
            };
        }

        /** For people: the layer sizes, normalization, dropout and parameter count. */
        String describe() {
            return switch (name) {
                case "linear" -> "softmax regression (784-10; 7,850 parameters)";
                case "pooled-linear" -> "softmax regression on 4x4-pixel averages (49-10; 500 parameters)";
                case "cnn" -> MnistCnn.describe();
                default -> {
                    StringBuilder layers = new StringBuilder("784");
                    hidden.forEach(width -> layers.append('-').append(width));
                    String kind = hidden.equals(MLP_BN_WIDTHS) && batchNorm && dropout == 0.2 && activation.equals("relu") && !heInit ? "MLP-BN"
                            : "MLP";
                    yield String.format("%s (%s-10, %s%s, %s%s; %,d parameters)", kind, layers, activation.equals("relu") ? "" : activation + ", ",
                            batchNorm ? "batch norm" : "no batch norm", dropout == 0 ? "no dropout" : "dropout " + dropout,
                            heInit ? ", He initialization" : "", parameterCount());
                }
            };
        }
    }

    /** The model {@code name} as it comes by default. */
    static Spec named(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("model: unknown name '" + name + "'; expected one of " + NAMES);
        }
        return new Spec(name, name.equals("mlp-bn") ? MLP_BN_WIDTHS : List.of(), name.equals("mlp-bn"), name.equals("mlp-bn") ? 0.2 : 0);
    }

    /**
     * The MLP with {@code depth} hidden layers (null: 2), each {@code width} wide, or without a
     * width MLP-BN's 512, 256 and on, halving to no less than 32; with or without batch norm, and
     * with dropout {@code dropout} after each activation.
     */
    static Spec mlp(Integer width, Integer depth, boolean batchNorm, double dropout) {
        int layers = depth == null ? MLP_BN_WIDTHS.size() : depth;
        List<Integer> hidden = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            hidden.add(width != null ? width : Math.max(MLP_BN_WIDTHS.get(0) >> i, Math.min(NARROWEST_TAPER, MLP_BN_WIDTHS.get(0))));
        }
        return new Spec("mlp-bn", List.copyOf(hidden), batchNorm, dropout);
    }

    /**
     * The model a run's configuration (config.json's flag values) describes; the default model
     * where it names none.
     */
    static Spec fromConfig(java.util.Map<String, String> config) {
        String name = config.getOrDefault("model", DEFAULT);
        if (!name.equals("mlp-bn")) {
            return named(name);
        }
        String width = config.get("width");
        String depth = config.get("depth");
        Spec shape = mlp(width == null ? null : Integer.valueOf(width), depth == null ? null : Integer.valueOf(depth),
                !Boolean.parseBoolean(config.getOrDefault("no-batchnorm", "false")), Double.parseDouble(config.getOrDefault("dropout", "0.2")));
        return shape.with(config.getOrDefault("activation", "relu"), config.getOrDefault("init", "default").equals("he"));
    }

    /** The model {@code name} built with its defaults. */
    static Sequential create(String name, Generator weights, Generator dropout) {
        return named(name).create(weights, dropout);
    }

    /** For people: the model {@code name} as it comes by default. */
    static String describe(String name) {
        return named(name).describe();
    }
}
