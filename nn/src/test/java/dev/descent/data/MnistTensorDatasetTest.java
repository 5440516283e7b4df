package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Mnist#toTensorDataset} transforms blocks of images: the result is the whole set transformed at once. */
class MnistTensorDatasetTest {
    @TempDir
    Path directory;

    @Test
    void blockwiseTransformEqualsTheWholeSetTransformed() throws IOException {
        int count = 2 * Mnist.TRANSFORM_BLOCK + 37;  // two whole blocks and a short one
        Files.write(directory.resolve("train-images-idx3-ubyte"), IdxTest.idx(count, 3, 2));
        Files.write(directory.resolve("train-labels-idx1-ubyte"), IdxTest.idx(count));
        Mnist mnist = Mnist.fromDirectory(directory, true);
        Transform prepare = new Compose(new ToTensor(), new Normalize(0.1307, 0.3081));
        TensorDataset dataset = mnist.toTensorDataset(prepare);
        NDArray expected = prepare.apply(mnist.images());
        NDArray images = dataset.fields()[0];
        assertArrayEquals(expected.shape(), images.shape());
        assertArrayEquals(expected.toFloatArray(), images.toFloatArray(), 0f);
        assertArrayEquals(mnist.labels().toIntArray(), dataset.fields()[1].toIntArray());
        assertTrue(images.isContiguous());
    }
}
