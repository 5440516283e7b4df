package dev.descent.data;

import dev.descent.core.NDArray;

/**
 * Indexed samples, each a fixed list of arrays (for supervised data: the input, then the target).
 *
 * <pre>{@code
 * Dataset train = Mnist.train().map(new Compose(new ToTensor(), new Normalize(0.1307, 0.3081)));
 * NDArray[] first = train.get(0);   // [FLOAT32 [1, 28, 28], INT32 []]
 * }</pre>
 */
public interface Dataset {
    /** The number of samples. */
    int size();

    /** Sample {@code index}: its arrays, in field order. */
    NDArray[] get(int index);

    /**
     * The samples {@code indices}, each field stacked along a new first dimension. This default
     * stacks {@link #get} results; datasets held as whole arrays gather directly.
     */
    default NDArray[] getBatch(int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("getBatch: no indices");
        }
        NDArray[][] samples = new NDArray[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            samples[i] = get(indices[i]);
        }
        NDArray[] fields = new NDArray[samples[0].length];
        for (int f = 0; f < fields.length; f++) {
            NDArray[] column = new NDArray[indices.length];
            for (int i = 0; i < indices.length; i++) {
                column[i] = samples[i][f];
            }
            fields[f] = NDArray.stack(0, column);
        }
        return fields;
    }

    /** This dataset with {@code transform} applied to the first field (the input) of every sample. */
    default Dataset map(Transform transform) {
        return new MappedDataset(this, transform, false);
    }

    /**
     * This dataset with {@code transform} applied to the first field of each batch at once (the
     * batch [n, ...] of {@link #getBatch}), and to a single sample's for {@link #get}. For
     * transforms that treat the samples of a batch independently and deterministically, such as
     * {@link ToTensor}, {@link Normalize} and a {@link Compose} of them, the batches are the same
     * as {@link #map}'s, and a dataset held compactly stays so: MNIST keeps its bytes and a step
     * converts only its own batch. Random augmentations draw per call, so they belong in {@link
     * #map}, where each sample gets its own draw.
     *
     * <pre>{@code
     * Dataset train = Mnist.train().mapBatches(new Compose(new ToTensor(), new Normalize(0.1307, 0.3081)));
     * Batch first = new DataLoader(train, 128).iterator().next();   // FLOAT32 [128, 1, 28, 28], INT32 [128]
     * }</pre>
     */
    default Dataset mapBatches(Transform transform) {
        return new MappedDataset(this, transform, true);
    }

    /** Checks an index against the size, naming the dataset. */
    static int checkIndex(Dataset dataset, int index) {
        if (index < 0 || index >= dataset.size()) {
            throw new IndexOutOfBoundsException(dataset.getClass().getSimpleName() + ": index " + index
                    + " is out of range for " + dataset.size() + " samples");
        }
        return index;
    }
}
