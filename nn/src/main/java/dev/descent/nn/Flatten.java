package dev.descent.nn;

import dev.descent.autograd.Tensor;

/** Flattens dimensions {@code startDim..endDim} into one (defaults 1 and -1: everything but the batch). */
public final class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        int rank = input.rank();
        int start = dev.descent.core.Shape.normalizeDim("Flatten", startDim, rank);
        int end = dev.descent.core.Shape.normalizeDim("Flatten", endDim, rank);
        if (start > end) {
            throw new IllegalArgumentException("Flatten: startDim " + startDim + " comes after endDim " + endDim
                    + " for an input of rank " + rank);
        }
        int[] shape = input.shape();
        int[] result = new int[rank - (end - start)];
        int merged = 1;
        for (int d = start; d <= end; d++) {
            merged *= shape[d];
        }
        System.arraycopy(shape, 0, result, 0, start);
        result[start] = merged;
        System.arraycopy(shape, end + 1, result, start + 1, rank - end - 1);
        return input.reshape(result);
    }

    @Override
    protected String describe() {
        return "startDim=" + startDim + ", endDim=" + endDim;
    }
}
