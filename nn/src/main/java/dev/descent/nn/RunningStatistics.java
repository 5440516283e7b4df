package dev.descent.nn;

import dev.descent.autograd.GradMode;
import dev.descent.core.NDArray;

/**
 * The running-statistics update of batch normalization in training, as PyTorch makes it:
 * {@code running = (1 - factor) running + factor batch}, with factor = momentum, or 1 /
 * num_batches_tracked (a cumulative average) when momentum is null, and the running variance
 * taking the unbiased batch variance var &middot; M / (M - 1) over the M values per channel.
 */
final class RunningStatistics {
    private RunningStatistics() {
    }

    /**
     * Increments {@code batchesTracked} (0-d INT32) and moves {@code runningMean} and
     * {@code runningVar} [C] towards the batch's mean and biased variance (any shape of C elements).
     */
    static void update(NDArray runningMean, NDArray runningVar, NDArray batchesTracked, Double momentum, NDArray batchMean,
                       NDArray batchVar, long count) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            int features = runningMean.size();
            batchesTracked.addi(batchesTracked.onesLike());   // an INT32 one made on the buffer's device
            // the count is read back (a device synchronization) only for the cumulative average
            double factor = momentum != null ? momentum : 1.0 / batchesTracked.item();
            NDArray mean = batchMean.reshape(features).astype(runningMean.dtype());
            NDArray unbiased = batchVar.reshape(features).astype(runningVar.dtype()).mul((double) count / (count - 1));
            // mean may be the very array the backward reads (the fused op saves it): never scaled in place
            runningMean.muli(1 - factor).addi(mean.mul(factor));
            runningVar.muli(1 - factor).addi(unbiased.muli(factor));
        }
    }
}
