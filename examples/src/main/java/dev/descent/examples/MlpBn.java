package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;
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
        List<Module> layers = new ArrayList<>();
        layers.add(new Flatten());
        int in = 784;
        for (int width : hidden) {
            layers.add(new Linear(in, width, true, weights));
            if (batchNorm) {
                layers.add(new BatchNorm1d(width));
            }
            layers.add(new ReLU());
            if (p > 0) {
                layers.add(new Dropout(p, dropout));
            }
            in = width;
        }
        layers.add(new Linear(in, 10, true, weights));
        return new Sequential(layers.toArray(new Module[0]));
    }
}
