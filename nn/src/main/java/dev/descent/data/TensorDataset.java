package dev.descent.data;

import dev.descent.core.Device;
import dev.descent.core.NDArray;
import java.util.Arrays;

/** Samples held as whole arrays whose first dimension indexes the samples, e.g. inputs [N, 784] and labels [N]. */
public final class TensorDataset implements Dataset {
    private final NDArray[] fields;

    public TensorDataset(NDArray... fields) {
        if (fields.length == 0) {
            throw new IllegalArgumentException("TensorDataset: needs at least one array");
        }
        for (NDArray f : fields) {
            if (f.rank() == 0 || f.shape(0) != fields[0].shape(0)) {
                throw new IllegalArgumentException("TensorDataset: every array needs the same first dimension, got shapes "
                        + Arrays.toString(Arrays.stream(fields).map(a -> Arrays.toString(a.shape())).toArray()));
            }
        }
        this.fields = fields.clone();
    }

    @Override
    public int size() {
        return fields[0].shape(0);
    }

    @Override
    public NDArray[] get(int index) {
        Dataset.checkIndex(this, index);
        NDArray[] sample = new NDArray[fields.length];
        for (int f = 0; f < fields.length; f++) {
            sample[f] = fields[f].select(0, index);
        }
        return sample;
    }

    /** One gather per field. */
    @Override
    public NDArray[] getBatch(int[] indices) {
        for (int i : indices) {
            Dataset.checkIndex(this, i);
        }
        NDArray index = NDArray.of(indices);
        NDArray[] batch = new NDArray[fields.length];
        for (int f = 0; f < fields.length; f++) {
            // the indices go where the data is (one small upload per device), the batch is gathered there
            if (!index.device().equals(fields[f].device())) {
                index = index.to(fields[f].device());
            }
            batch[f] = fields[f].indexSelect(0, index);
        }
        return batch;
    }

    /**
     * The same samples with every array copied to {@code device} (this dataset when they are all
     * there already). Staging a dataset that fits in device memory once, as {@code descent mnist
     * --device cuda} does, turns each batch into a gather on the device instead of a transfer.
     */
    public TensorDataset to(Device device) {
        if (device == null) {
            throw new IllegalArgumentException("TensorDataset.to: device must not be null");
        }
        NDArray[] moved = new NDArray[fields.length];
        boolean same = true;
        for (int f = 0; f < fields.length; f++) {
            moved[f] = fields[f].to(device);
            same &= moved[f] == fields[f];
        }
        return same ? this : new TensorDataset(moved);
    }

    /** The arrays (shared). */
    public NDArray[] fields() {
        return fields.clone();
    }
}
