package dev.descent.optim.schedule;

import dev.descent.optim.firstorder.SGD;
import java.util.Arrays;

/**
 * The batch size to use in each epoch. Growing the batch instead of decaying the learning rate
 * gives the same effect on the noise of SGD with fewer, larger steps (Smith, Kindermans, Ying
 * and Le, "Don't decay the learning rate, increase the batch size", 2018): where a step schedule
 * would multiply the rate by 1/k at a milestone, multiply the batch by k.
 *
 * <pre>{@code
 * BatchSizeSchedule batches = BatchSizeSchedule.growing(128, 5, new int[] {30, 60, 80}, 8192);
 * int batchSize = batches.batchSize(epoch);   // 128, then 640 from epoch 30, 3200 from 60, 8192 from 80
 * }</pre>
 * The linear scaling rule goes the other way: when the batch grows by k, the learning rate may
 * grow by k too ({@link #linearScaling}).
 */
@FunctionalInterface
public interface BatchSizeSchedule {
    /** The batch size for {@code epoch} (from 0). */
    int batchSize(int epoch);

    /** The same batch size in every epoch. */
    static BatchSizeSchedule constant(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("BatchSizeSchedule: batch size must be positive, got " + batchSize);
        }
        return epoch -> batchSize;
    }

    /**
     * {@code initial} multiplied by {@code factor} at each milestone epoch, never above {@code max}.
     */
    static BatchSizeSchedule growing(int initial, int factor, int[] milestones, int max) {
        if (initial <= 0 || factor < 1 || max < initial) {
            throw new IllegalArgumentException("BatchSizeSchedule.growing: needs initial > 0, factor >= 1 and max >= initial,"
                    + " got " + initial + ", " + factor + ", " + max);
        }
        int[] sorted = milestones.clone();
        Arrays.sort(sorted);
        return epoch -> {
            long size = initial;
            for (int m : sorted) {
                if (epoch >= m) {
                    size = Math.min((long) max, size * factor);
                }
            }
            return (int) size;
        };
    }

    /**
     * The linear scaling rule (Goyal et al., "Accurate, Large Minibatch SGD", 2017): a learning
     * rate tuned for {@code baseBatchSize} scales in proportion to the batch size.
     */
    static double linearScaling(double baseLr, int baseBatchSize, int batchSize) {
        if (baseBatchSize <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("linearScaling: batch sizes must be positive, got " + baseBatchSize + " and "
                    + batchSize);
        }
        return baseLr * batchSize / baseBatchSize;
    }
}
