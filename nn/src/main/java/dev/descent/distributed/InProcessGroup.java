package dev.descent.distributed;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A process group whose members are threads of one JVM that share memory: the replicas of
 * data-parallel training on one machine. Each collective is a rendezvous: the members deposit
 * their arrays in the call's slot, the last to arrive combines them in rank order (so every member
 * gets bit-identical results, whatever the arrival order), and all leave together. A member that
 * does not arrive within the timeout fails the call on every member waiting for it, naming it.
 */
public final class InProcessGroup implements ProcessGroup {
    private final Rendezvous shared;
    private final int rank;

    private InProcessGroup(Rendezvous shared, int rank) {
        this.shared = shared;
        this.rank = rank;
    }

    /** The {@code worldSize} members of a new group, by rank; a collective waits at most {@code timeout} for every member. */
    public static List<ProcessGroup> create(int worldSize, Duration timeout) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("InProcessGroup: the world size must be at least 1, got " + worldSize);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("InProcessGroup: the timeout must be positive, got " + timeout);
        }
        Rendezvous shared = new Rendezvous(worldSize, timeout);
        List<ProcessGroup> members = new ArrayList<>();
        for (int rank = 0; rank < worldSize; rank++) {
            members.add(new InProcessGroup(shared, rank));
        }
        return List.copyOf(members);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return shared.worldSize;
    }

    /** True: the members are threads of this process. */
    @Override
    public boolean sharesMemory() {
        return true;
    }

    @Override
    public void allReduce(NDArray buffer, ReduceOp op) {
        allReduce(List.of(buffer), op);
    }

    /**
     * Reduces the arrays where they lie, in parallel: the members first meet to see each other's
     * arrays; then member r combines the r-th slice of their concatenation over all members, in
     * rank order (so every member gets bit-identical values, whatever the arrival order), and
     * writes it into every member's arrays; a second meeting makes sure all slices are written
     * before anyone returns. Only member r touches slice r, so nothing is copied to a shared
     * result first, and the work is split n ways instead of done by the last member to arrive.
     */
    @Override
    public void allReduce(List<NDArray> buffers, ReduceOp op) {
        if (buffers == null || buffers.isEmpty()) {
            throw new IllegalArgumentException("allReduce: no buffers");
        }
        for (NDArray buffer : buffers) {
            check("allReduce", buffer);
        }
        if (shared.worldSize == 1) {
            return;
        }
        StringBuilder shapes = new StringBuilder();
        List<NDArray> flat = new ArrayList<>(buffers.size());
        for (NDArray buffer : buffers) {
            shapes.append(shapes.length() == 0 ? "" : ", ").append(describe(buffer));
            // a strided array is reduced through a contiguous copy, written back below
            flat.add(buffer.contiguous().reshape(-1));
        }
        String name = "allReduce(" + op + ")";
        Object[] everyone = (Object[]) shared.meet(name, rank, flat, shapes.toString(), arrays -> arrays)[0];
        reduceSlice(everyone, op);
        shared.meet(name + ", writing back", rank, null, "", arrays -> null);
        for (int i = 0; i < buffers.size(); i++) {
            if (flat.get(i).storage() != buffers.get(i).storage()) {
                buffers.get(i).copyFrom(flat.get(i).reshape(buffers.get(i).shape()));
            }
        }
    }

    /** This member's slice of the concatenated arrays, combined over all members and written into each. */
    @SuppressWarnings("unchecked")
    private void reduceSlice(Object[] everyone, ReduceOp op) {
        int members = everyone.length;
        List<NDArray> first = (List<NDArray>) everyone[0];
        long total = 0;
        for (NDArray array : first) {
            total += array.size();
        }
        long from = total * rank / members;
        long to = total * (rank + 1) / members;
        long start = 0;
        for (int i = 0; i < first.size(); i++) {
            long size = first.get(i).size();
            long lo = Math.max(from, start);
            long hi = Math.min(to, start + size);
            if (lo < hi) {
                int offset = (int) (lo - start);
                int length = (int) (hi - lo);
                // member 0's slice accumulates the others' in rank order (only this member touches it)
                NDArray result = ((List<NDArray>) everyone[0]).get(i).narrow(0, offset, length);
                for (int member = 1; member < members; member++) {
                    // replicas on different devices (two GPUs) are combined on member 0's
                    NDArray values = ((List<NDArray>) everyone[member]).get(i).narrow(0, offset, length).to(result.device());
                    switch (op) {
                        case SUM, MEAN -> result.addi(values);
                        case MAX -> result.copyFrom(result.maximum(values));
                        case MIN -> result.copyFrom(result.minimum(values));
                    }
                }
                if (op == ReduceOp.MEAN) {
                    result.divi(members);
                }
                for (int member = 1; member < members; member++) {
                    NDArray target = ((List<NDArray>) everyone[member]).get(i).narrow(0, offset, length);
                    target.copyFrom(result.to(target.device()));
                }
            }
            start += size;
        }
    }

    @Override
    public void broadcast(NDArray buffer, int root) {
        check("broadcast", buffer);
        if (root < 0 || root >= shared.worldSize) {
            throw new IllegalArgumentException("broadcast: root " + root + " is not a rank of this group of " + shared.worldSize);
        }
        Object[] deposits = shared.meet("broadcast(root " + root + ")", rank, rank == root ? buffer.copy() : null,
                describe(buffer) + ", root " + root, arrays -> arrays[root]);
        if (rank != root) {
            buffer.copyFrom((NDArray) deposits[0]);
        }
    }

    @Override
    public NDArray[] allGather(NDArray buffer) {
        check("allGather", buffer);
        Object[] deposits = shared.meet("allGather", rank, buffer.copy(), describe(buffer), arrays -> arrays);
        Object[] all = (Object[]) deposits[0];
        NDArray[] gathered = new NDArray[all.length];
        for (int member = 0; member < all.length; member++) {
            gathered[member] = ((NDArray) all[member]).copy();
        }
        return gathered;
    }

    @Override
    public void barrier() {
        shared.meet("barrier", rank, null, "", arrays -> null);
    }

    private static void check(String op, NDArray buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException(op + ": the buffer is null");
        }
        if (!buffer.dtype().isFloatingPoint() && buffer.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": unsupported dtype " + buffer.dtype());
        }
    }

    /** What every member must agree on: dtype and shape. */
    private static String describe(NDArray buffer) {
        return buffer.dtype() + " " + Arrays.toString(buffer.shape());
    }


}
