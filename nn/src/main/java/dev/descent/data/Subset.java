package dev.descent.data;

import dev.descent.core.NDArray;

/** The samples of another dataset at the given indices, in that order. */
public final class Subset implements Dataset {
    private final Dataset source;
    private final int[] indices;

    public Subset(Dataset source, int[] indices) {
        for (int i : indices) {
            Dataset.checkIndex(source, i);
        }
        this.source = source;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public NDArray[] get(int index) {
        return source.get(indices[Dataset.checkIndex(this, index)]);
    }

    @Override
    public NDArray[] getBatch(int[] batch) {
        int[] mapped = new int[batch.length];
        for (int i = 0; i < batch.length; i++) {
            mapped[i] = indices[Dataset.checkIndex(this, batch[i])];
        }
        return source.getBatch(mapped);
    }

    /** The indices into the source (a copy). */
    public int[] indices() {
        return indices.clone();
    }
}
