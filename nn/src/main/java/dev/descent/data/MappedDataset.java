package dev.descent.data;

import dev.descent.core.NDArray;

/**
 * {@link Dataset#map} and {@link Dataset#mapBatches}: the source's samples with the first field
 * transformed, one sample at a time, or, for {@code mapBatches}, a whole batch at a time.
 */
final class MappedDataset implements Dataset {
    private final Dataset source;
    private final Transform transform;
    private final boolean wholeBatches;

    MappedDataset(Dataset source, Transform transform, boolean wholeBatches) {
        if (transform == null) {
            throw new IllegalArgumentException("Dataset." + (wholeBatches ? "mapBatches" : "map") + ": transform must not be null");
        }
        this.source = source;
        this.transform = transform;
        this.wholeBatches = wholeBatches;
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
        if (!wholeBatches) {
            return Dataset.super.getBatch(indices);   // each sample transformed on its own, then stacked
        }
        NDArray[] batch = source.getBatch(indices).clone();
        batch[0] = transform.apply(batch[0]);
        return batch;
    }

    @Override
    public String toString() {
        return source + (wholeBatches ? ".mapBatches(" : ".map(") + transform.getClass().getSimpleName() + ")";
    }
}
