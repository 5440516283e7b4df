package dev.descent.data;

import dev.descent.autograd.Tensor;
import java.util.List;

/**
 * One batch from a {@link DataLoader}: each field of the samples stacked along a new first
 * dimension, as tensors (the input first, then the target for supervised data).
 */
public record Batch(List<Tensor> fields) {
    public Batch {
        fields = List.copyOf(fields);
    }

    /** The first field: the inputs. */
    public Tensor input() {
        return fields.get(0);
    }

    /** The second field: the targets. */
    public Tensor target() {
        if (fields.size() < 2) {
            throw new IllegalStateException("Batch: the samples have " + fields.size() + " field(s), so there is no target");
        }
        return fields.get(1);
    }

    /** The number of samples. */
    public int size() {
        return fields.get(0).shape(0);
    }
}
