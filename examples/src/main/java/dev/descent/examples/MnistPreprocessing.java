package dev.descent.examples;

import dev.descent.data.Compose;
import dev.descent.data.Normalize;
import dev.descent.data.ToTensor;
import dev.descent.data.Transform;

/** The input preprocessing of every example: pixels to [0, 1], then the data set's mean and standard deviation. */
final class MnistPreprocessing {
    private MnistPreprocessing() {
    }

    /** Normalization with MNIST's (0.1307, 0.3081) or Fashion-MNIST's (0.2860, 0.3530) pixel statistics. */
    static Normalize normalize(boolean fashion) {
        return fashion ? new Normalize(0.2860, 0.3530) : new Normalize(0.1307, 0.3081);
    }

    /** ToTensor then {@link #normalize}. */
    static Transform prepare(boolean fashion) {
        return new Compose(new ToTensor(), normalize(fashion));
    }
}
