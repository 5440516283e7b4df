package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Init;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
import dev.descent.nn.Sigmoid;
import dev.descent.nn.Tanh;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark model, "MLP-BN": Linear(784, 512), BatchNorm1d, ReLU,
 * Dropout(0.2), Linear(512, 256), BatchNorm1d, ReLU, Dropout(0.2), Linear(256, 10); a Flatten in
 * front accepts images of [N, 1, 28, 28].
 */
public final class MlpBn {
    private MlpBn() {
    }

    /** The model, its weights and dropout masks drawn from generators seeded with {@code seed} and {@code seed + 1}. */
    public static Sequential create(long seed) {
        return create(new Generator(seed), new Generator(seed + 1));
    }

    /**
     * The model with its initial weights drawn from {@code weights}; its dropout layers draw their
     * masks from {@code dropout} as they train, so a caller that checkpoints training keeps it.
     */
    public static Sequential create(Generator weights, Generator dropout) {
        return create(List.of(512, 256), true, 0.2, weights, dropout);
    }

    /**
     * The same family with other hidden widths, with or without batch norm after each hidden
     * Linear, and with dropout {@code p} after each ReLU (none when p is 0); {@code hidden} empty
     * gives softmax regression, Linear(784, 10).
     */
    public static Sequential create(List<Integer> hidden, boolean batchNorm, double p, Generator weights, Generator dropout) {
        return create(hidden, batchNorm, p, "relu", false, weights, dropout);
    }

    /**
     * As {@link #create(List, boolean, double, Generator, Generator)} with {@code activation}
     * (relu, sigmoid or tanh) after each hidden layer and, when {@code heInit}, each hidden weight
     * drawn from He's normal initialization (std &radic;(2 / fan-in)), which keeps a ReLU network's
     * activations at one scale through its depth.
     */
    public static Sequential create(List<Integer> hidden, boolean batchNorm, double p, String activation, boolean heInit, Generator weights,
                                    Generator dropout) {
        List<Module> layers = new ArrayList<>();
        layers.add(new Flatten());
        int in = 784;
        for (int width : hidden) {
            Linear linear = new Linear(in, width, true, weights);
            if (heInit) {
                Init.kaimingNormal(linear.weight(), 0, Init.FanMode.FAN_IN, "relu", weights);
            }
            layers.add(linear);
            if (batchNorm) {
                layers.add(new BatchNorm1d(width));
            }
            layers.add(switch (activation) {
                case "relu" -> new ReLU();
                case "sigmoid" -> new Sigmoid();
                case "tanh" -> new Tanh();
                default -> throw new IllegalArgumentException("MlpBn: unknown activation '" + activation + "'; expected relu, sigmoid or tanh");
            });
            if (p > 0) {
                layers.add(new Dropout(p, dropout));
            }
            in = width;
        }
        layers.add(new Linear(in, 10, true, weights));
        return new Sequential(layers.toArray(new Module[0]));
    }
}
