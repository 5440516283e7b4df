package dev.descent.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Fashion-MNIST (Xiao et al., 2017): 28 x 28 images of ten kinds of clothing in MNIST's format,
 * a harder drop-in replacement. Found in the cache, in Debian's {@code dataset-fashion-mnist}
 * package ({@code /usr/share/datasets/fashion-mnist}), or downloaded (see {@link DatasetFetcher}).
 */
public final class FashionMnist extends Mnist {
    /** The class names, by label. */
    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    private FashionMnist(Path directory, boolean train) throws IOException {
        super("Fashion-MNIST", directory, train);
    }

    public static FashionMnist train() {
        return load(true);
    }

    public static FashionMnist test() {
        return load(false);
    }

    private static FashionMnist load(boolean train) {
        try {
            return new FashionMnist(DatasetFetcher.fetch(DatasetFetcher.FASHION_MNIST), train);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
