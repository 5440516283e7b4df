package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Module;
import dev.descent.nn.ReLU;
import dev.descent.nn.Sequential;

/**
 * The convolutional network of {@code descent mnist --model cnn}, for images [N, 1, 28, 28]:
 *
 * <pre>
 * Conv2d(1, 32, 3, padding 1, no bias)  BatchNorm2d(32)  ReLU  MaxPool2d(2)     [N, 32, 14, 14]
 * Conv2d(32, 64, 3, padding 1, no bias) BatchNorm2d(64)  ReLU  MaxPool2d(2)     [N, 64, 7, 7]
 * Flatten  Linear(3136, 128, no bias)   BatchNorm1d(128) ReLU  Dropout(0.3)     [N, 128]
 * Linear(128, 10)                                                               [N, 10]
 * </pre>
 *
 * The layers before a batch norm have no bias: the norm's shift would cancel it. Layer for layer
 * the same as the PyTorch module in {@code tools/pytorch_cnn.py} (with the same parameter names),
 * so a run's {@code weights.safetensors} loads into it.
 */
public final class MnistCnn {
    /** Weights, batch-norm scales and shifts, and the last layer's bias. */
    public static final long PARAMETERS = 32 * 9 + 2 * 32 + 64 * 32 * 9 + 2 * 64 + 3136L * 128 + 2 * 128 + 128 * 10 + 10;
    static final double DROPOUT = 0.3;

    private MnistCnn() {
    }

    /** The network, its initial weights drawn from {@code weights} and its dropout masks from {@code dropout}. */
    public static Sequential create(Generator weights, Generator dropout) {
        return new Sequential(
                convolutionBlock(1, 32, weights),
                convolutionBlock(32, 64, weights),
                new Flatten(), new Linear(64 * 7 * 7, 128, false, weights), new BatchNorm1d(128), new ReLU(), new Dropout(DROPOUT, dropout),
                new Linear(128, 10, true, weights));
    }

    private static Module convolutionBlock(int in, int out, Generator weights) {
        Conv2d convolution = new Conv2d(in, out, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false, weights);
        return new Sequential(convolution, new BatchNorm2d(out), new ReLU(), new MaxPool2d(2));
    }

    /** For people: the layers and the parameter count. */
    static String describe() {
        return String.format("CNN (conv 32-64 3x3, batch norm, max pool, 3136-128-10, dropout %s; %,d parameters)", DROPOUT, PARAMETERS);
    }
}
