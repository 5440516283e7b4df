package dev.descent.data;

import dev.descent.core.NDArray;

/** {@link Dataset#mapBatches}: the source's batches, their first field transformed as a whole. */
final class BatchMappedDataset implements Dataset {
    private final Dataset source;
    private final Transform transform;

    BatchMappedDataset(Dataset source, Transform transform) {
        if (transform == null) {
            throw new IllegalArgumentException("Dataset.mapBatches: transform must not be null");
        }
        this.source = source;
        this.transform = transform;
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public NDArray[] get(int index) {
        NDArray[] sample = source.get(index).clone();
        sample[0] = transform.apply(sample[0]);
        return sample;
    }

    @Override
    public NDArray[] getBatch(int[] indices) {
        NDArray[] batch = source.getBatch(indices).clone();
        batch[0] = transform.apply(batch[0]);
        return batch;
    }

    @Override
    public String toString() {
        return source + ".mapBatches(" + transform.getClass().getSimpleName() + ")";
    }
}
