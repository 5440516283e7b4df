package dev.descent.data;

import dev.descent.core.NDArray;
import java.util.List;

/** Several datasets one after another. */
public final class ConcatDataset implements Dataset {
    private final List<Dataset> parts;
    private final int[] starts;

    public ConcatDataset(Dataset... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("ConcatDataset: needs at least one dataset");
        }
        this.parts = List.of(parts);
        starts = new int[parts.length + 1];
        for (int i = 0; i < parts.length; i++) {
            starts[i + 1] = Math.addExact(starts[i], parts[i].size());
        }
    }

    @Override
    public int size() {
        return starts[starts.length - 1];
    }

    @Override
    public NDArray[] get(int index) {
        Dataset.checkIndex(this, index);
        int part = 0;
        while (index >= starts[part + 1]) {
            part++;
        }
        return parts.get(part).get(index - starts[part]);
    }
}
