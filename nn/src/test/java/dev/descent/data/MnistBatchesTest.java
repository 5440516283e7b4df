package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Mnist#getBatch} gathers from the bytes and {@link Dataset#mapBatches} converts a batch at
 * a time; both must give exactly what the per-sample path and the float32 copy give.
 */
class MnistBatchesTest {
    private static final int COUNT = 300;
    private static final int ROWS = 5;
    private static final int COLUMNS = 4;

    @TempDir
    Path directory;

    private Mnist randomMnist(long seed) throws IOException {
        Random random = new Random(seed);
        Files.write(directory.resolve("train-images-idx3-ubyte"),
                IdxTest.idxOf(new int[] {COUNT, ROWS, COLUMNS}, i -> random.nextInt(256)));
        Files.write(directory.resolve("train-labels-idx1-ubyte"), IdxTest.idxOf(new int[] {COUNT}, i -> random.nextInt(10)));
        return Mnist.fromDirectory(directory, true);
    }

    @Test
    void getBatchEqualsStackingTheSamples() throws IOException {
        Mnist mnist = randomMnist(1);
        Random random = new Random(2);
        for (int trial = 0; trial < 20; trial++) {
            int[] indices = random.ints(1 + random.nextInt(40), 0, COUNT).toArray();  // repeats allowed
            NDArray[] batch = mnist.getBatch(indices);
            NDArray[] images = new NDArray[indices.length];
            int[] labels = new int[indices.length];
            for (int s = 0; s < indices.length; s++) {
                NDArray[] sample = mnist.get(indices[s]);
                images[s] = sample[0];
                labels[s] = sample[1].toIntArray()[0];
            }
            NDArray expected = NDArray.stack(0, images);
            assertArrayEquals(expected.shape(), batch[0].shape());
            assertArrayEquals(expected.toIntArray(), batch[0].toIntArray());
            assertArrayEquals(new int[] {indices.length}, batch[1].shape());
            assertArrayEquals(labels, batch[1].toIntArray());
        }
    }

    @Test
    void mapBatchesGivesTheFloatCopysBatchesBitForBit() throws IOException {
        Mnist mnist = randomMnist(3);
        Transform prepare = new Compose(new ToTensor(), new Normalize(0.1307, 0.3081));
        Iterator<Batch> lean = new DataLoader(mnist.mapBatches(prepare), 32).shuffle(new Generator(7)).iterator();
        Iterator<Batch> copied = new DataLoader(mnist.toTensorDataset(prepare), 32).shuffle(new Generator(7)).iterator();
        int batches = 0;
        while (copied.hasNext()) {
            assertTrue(lean.hasNext());
            Batch a = lean.next();
            Batch b = copied.next();
            assertArrayEquals(b.input().data().shape(), a.input().data().shape());
            assertArrayEquals(b.input().data().toFloatArray(), a.input().data().toFloatArray(), 0f);
            assertArrayEquals(b.target().data().toIntArray(), a.target().data().toIntArray());
            batches++;
        }
        assertEquals((COUNT + 31) / 32, batches);
        NDArray single = mnist.mapBatches(prepare).get(5)[0];
        assertArrayEquals(new int[] {1, ROWS, COLUMNS}, single.shape());
        assertArrayEquals(prepare.apply(mnist.get(5)[0]).toFloatArray(), single.toFloatArray(), 0f);
    }

    @Test
    void badIndicesAreRefusedNamingTheIndexAndTheSize() throws IOException {
        Mnist mnist = randomMnist(4);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> mnist.getBatch(new int[] {0, COUNT}));
        assertTrue(e.getMessage().contains("index " + COUNT) && e.getMessage().contains(COUNT + " samples"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> mnist.getBatch(new int[] {-1}));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> mnist.getBatch(new int[0]));
        assertTrue(empty.getMessage().contains("no indices"), empty.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> mnist.mapBatches(null));
        assertTrue(none.getMessage().contains("mapBatches"), none.getMessage());
    }
}
