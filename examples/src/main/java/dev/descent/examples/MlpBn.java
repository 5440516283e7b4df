package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;

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
        return new Sequential(new Flatten(),
                new Linear(784, 512, true, weights), new BatchNorm1d(512), new ReLU(), new Dropout(0.2, dropout),
                new Linear(512, 256, true, weights), new BatchNorm1d(256), new ReLU(), new Dropout(0.2, dropout),
                new Linear(256, 10, true, weights));
    }
}
