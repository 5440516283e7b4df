package dev.descent.distributed;

import dev.descent.core.NDArray;
import java.util.List;

/**
 * The replicas of one training job and the collectives they call together, as
 * {@code torch.distributed}'s process group: each member has a rank from 0 to
 * {@code worldSize() - 1}, and every member calls the same collectives in the same order with
 * arrays of the same shape and dtype. A collective returns when every member has joined it; a
 * member that does not join within the group's timeout makes it fail on every member that did,
 * with a {@link CollectiveTimeoutException} naming the missing ranks, never a hang.
 *
 * <pre>{@code
 * List<ProcessGroup> group = InProcessGroup.create(4, Duration.ofSeconds(30));   // four replicas, one per thread
 * // on replica r:
 * group.get(r).allReduce(gradient, ReduceOp.MEAN);    // every replica now holds the mean of the four gradients
 * }</pre>
 */
public interface ProcessGroup {
    /** This member's rank, from 0. */
    int rank();

    /** The number of members. */
    int worldSize();

    /** Replaces {@code buffer}, on every member, by the element-wise reduction of all members' buffers, taken in rank order. */
    void allReduce(NDArray buffer, ReduceOp op);

    /**
     * {@link #allReduce(NDArray, ReduceOp)} of several arrays in one collective, as if they were
     * concatenated (every member passes arrays of the same dtype and sizes, in the same order): how
     * data parallelism reduces a bucket of gradients. This default flattens them into one array and
     * copies the result back; a group whose members share memory reduces them where they lie.
     */
    default void allReduce(List<NDArray> buffers, ReduceOp op) {
        if (buffers == null || buffers.isEmpty()) {
            throw new IllegalArgumentException("allReduce: no buffers");
        }
        int total = 0;
        for (NDArray buffer : buffers) {
            total += buffer.size();
        }
        NDArray flat = NDArray.empty(buffers.get(0).dtype(), new int[] {total}, buffers.get(0).device());
        int offset = 0;
        for (NDArray buffer : buffers) {
            flat.narrow(0, offset, buffer.size()).copyFrom(buffer.reshape(-1));
            offset += buffer.size();
        }
        allReduce(flat, op);
        offset = 0;
        for (NDArray buffer : buffers) {
            buffer.copyFrom(flat.narrow(0, offset, buffer.size()).reshape(buffer.shape()));
            offset += buffer.size();
        }
    }

    /**
     * Whether the members share this process's memory, so that a collective is copying done on
     * the calling thread's core rather than waiting on a link: data parallelism then reduces
     * inline, where a thread of its own would only add hand-offs between threads.
     */
    default boolean sharesMemory() {
        return false;
    }

    /** Copies member {@code root}'s {@code buffer} into every member's {@code buffer}. */
    void broadcast(NDArray buffer, int root);

    /** Every member's {@code buffer}, by rank, on every member (copies). */
    NDArray[] allGather(NDArray buffer);

    /** Returns when every member has called it. */
    void barrier();
}
