package dev.descent.data;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The MNIST handwritten digits (60,000 training and 10,000 test images of 28 x 28 pixels),
 * fetched on first use (see {@link DatasetFetcher}). A sample is {@code [image, label]}: the
 * image as INT32 pixel values 0..255 of shape [28, 28], the label as an INT32 scalar.
 *
 * <pre>{@code
 * Transform prepare = new Compose(new ToTensor(), new Normalize(0.1307, 0.3081));
 * Dataset lean = Mnist.train().mapBatches(prepare);             // bytes, converted a batch at a time
 * TensorDataset fast = Mnist.train().toTensorDataset(prepare);  // float32 [60000, 1, 28, 28], 188 MB
 * }</pre>
 * Both give a {@link DataLoader} the same batches, bit for bit.
 * {@link FashionMnist} has the same format.
 */
public class Mnist implements Dataset {
    /** The number of classes: every label is 0 to 9. */
    static final int CLASSES = 10;
    /**
     * Images per block of {@link #toTensorDataset}: each block's int32 copy and the transform's
     * outputs (784 KB for 256 images) stay below the size G1 allocates as humongous objects. With
     * 4,096 images a block (12.8 MB), every block started a concurrent marking cycle, and those
     * pauses made a default JVM grow its heap by a gigabyte before training began.
     */
    static final int TRANSFORM_BLOCK = 256;

    private final String name;
    private final int count;
    private final int rows;
    private final int columns;
    private final byte[] pixels;
    private final byte[] labels;

    protected Mnist(String name, Path directory, boolean train) throws IOException {
        this.name = name;
        String prefix = train ? "train" : "t10k";
        Path imagesFile = file(directory, prefix + "-images-idx3-ubyte");
        Path labelsFile = file(directory, prefix + "-labels-idx1-ubyte");
        Idx.Data images = Idx.read(imagesFile);
        Idx.Data targets = Idx.read(labelsFile);
        if (images.shape().length != 3) {
            throw new IOException(name + ": " + imagesFile + " has shape " + Arrays.toString(images.shape())
                    + "; expected images of shape [count, rows, columns]");
        }
        if (targets.shape().length != 1) {
            throw new IOException(name + ": " + labelsFile + " has shape " + Arrays.toString(targets.shape())
                    + "; expected labels of shape [count]");
        }
        if (images.shape()[0] != targets.shape()[0]) {
            throw new IOException(name + ": " + imagesFile + " holds " + images.shape()[0] + " images but " + labelsFile + " holds "
                    + targets.shape()[0] + " labels; expected one label per image");
        }
        byte[] labelValues = targets.values();
        for (int i = 0; i < labelValues.length; i++) {
            int label = labelValues[i] & 0xFF;
            if (label >= CLASSES) {
                throw new IOException(name + ": " + labelsFile + ": label " + label + " at index " + i + " is out of range 0-"
                        + (CLASSES - 1) + " (expected one of the " + CLASSES + " classes)");
            }
        }
        this.count = images.shape()[0];
        this.rows = images.shape()[1];
        this.columns = images.shape()[2];
        this.pixels = images.values();
        this.labels = labelValues;
    }

    /** {@code directory/name}, or {@code name.gz} when only the gzipped file is there. */
    private static Path file(Path directory, String name) {
        Path plain = directory.resolve(name);
        Path gz = directory.resolve(name + ".gz");
        return !Files.exists(plain) && Files.exists(gz) ? gz : plain;
    }

    /** The 60,000 training images. */
    public static Mnist train() {
        return load(true);
    }

    /** The 10,000 test images. */
    public static Mnist test() {
        return load(false);
    }

    /**
     * The files of {@code directory} (the four IDX files, uncompressed or gzipped as
     * {@code <name>.gz}). A missing, unreadable or malformed file, or a label outside 0-9, is an
     * {@link IOException} naming the file and what was expected.
     */
    public static Mnist fromDirectory(Path directory, boolean train) throws IOException {
        return new Mnist("MNIST", directory, train);
    }

    private static Mnist load(boolean train) {
        try {
            return new Mnist("MNIST", DatasetFetcher.fetch(DatasetFetcher.MNIST), train);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public NDArray[] get(int index) {
        Dataset.checkIndex(this, index);
        int[] image = new int[rows * columns];
        copyPixels(index * image.length, image, 0, image.length);
        return new NDArray[] {NDArray.of(image, rows, columns), NDArray.scalar(DType.INT32, labels[index] & 0xFF)};
    }

    /**
     * The samples {@code indices} as two arrays, INT32 images [n, rows, columns] and INT32 labels
     * [n], gathered straight from the bytes (not image by image). With {@link
     * Dataset#mapBatches} this is how MNIST trains while held as its 47 MB of bytes, converted to
     * float32 a batch at a time, instead of as a 188 MB float32 copy.
     */
    @Override
    public NDArray[] getBatch(int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException(name + ".getBatch: no indices");
        }
        int size = rows * columns;
        int[] block = new int[indices.length * size];
        int[] batchLabels = new int[indices.length];
        for (int s = 0; s < indices.length; s++) {
            copyPixels(Dataset.checkIndex(this, indices[s]) * size, block, s * size, size);
            batchLabels[s] = labels[indices[s]] & 0xFF;
        }
        return new NDArray[] {NDArray.of(block, indices.length, rows, columns), NDArray.of(batchLabels, indices.length)};
    }

    /** Every image at once, INT32 [N, 28, 28]. */
    public NDArray images() {
        return images(0, count);
    }

    /** Images {@code start} to {@code end} (exclusive), INT32 [end - start, rows, columns]. */
    private NDArray images(int start, int end) {
        int size = rows * columns;
        int[] block = new int[(end - start) * size];
        copyPixels(start * size, block, 0, block.length);
        return NDArray.of(block, end - start, rows, columns);
    }

    /** {@code count} pixels from {@code from} as their values 0..255, into {@code into} from {@code at}. */
    private void copyPixels(int from, int[] into, int at, int count) {
        for (int i = 0; i < count; i++) {
            into[at + i] = pixels[from + i] & 0xFF;
        }
    }

    /** Every label, INT32 [N]. */
    public NDArray labels() {
        int[] all = new int[count];
        for (int i = 0; i < count; i++) {
            all[i] = labels[i] & 0xFF;
        }
        return NDArray.of(all, count);
    }

    /** The label of sample {@code index}. */
    public int label(int index) {
        return labels[Dataset.checkIndex(this, index)] & 0xFF;
    }

    /**
     * The images transformed ({@code transform} receives INT32 [n, 28, 28]) and the labels, as a
     * dataset that batches by gathering: the fast path when nothing is random. The transform runs
     * on blocks of {@link #TRANSFORM_BLOCK} images, so it must treat images independently (as the
     * package's transforms do): the whole set at once held an int32 copy and every step's output
     * of all 60,000 images together, about four times the result's memory, and that moment was
     * the peak resident memory of a training run.
     */
    public TensorDataset toTensorDataset(Transform transform) {
        if (count == 0) {
            return new TensorDataset(transform.apply(images()), labels());
        }
        NDArray all = null;
        for (int start = 0; start < count; start += TRANSFORM_BLOCK) {
            int end = Math.min(count, start + TRANSFORM_BLOCK);
            NDArray block = transform.apply(images(start, end));
            if (all == null) {
                int[] shape = block.shape();
                shape[0] = count;
                all = NDArray.empty(block.dtype(), shape, block.device());
            }
            all.narrow(0, start, end - start).copyFrom(block);
        }
        return new TensorDataset(all, labels());
    }

    @Override
    public String toString() {
        return name + "(" + count + " images of " + rows + "x" + columns + ")";
    }
}
