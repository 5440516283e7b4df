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

    @Override
    public void allReduce(NDArray buffer, ReduceOp op) {
        check("allReduce", buffer);
        Object[] deposits = shared.meet("allReduce(" + op + ")", rank, buffer.toDoubleArray(), describe(buffer), arrays -> {
            double[] result = ((double[]) arrays[0]).clone();
            for (int member = 1; member < arrays.length; member++) {
                double[] values = (double[]) arrays[member];
                for (int i = 0; i < result.length; i++) {
                    result[i] = switch (op) {
                        case SUM, MEAN -> result[i] + values[i];
                        case MAX -> Math.max(result[i], values[i]);
                        case MIN -> Math.min(result[i], values[i]);
                    };
                }
            }
            if (op == ReduceOp.MEAN) {
                for (int i = 0; i < result.length; i++) {
                    result[i] /= arrays.length;
                }
            }
            return result;
        });
        write(buffer, (double[]) deposits[0]);
    }

    @Override
    public void broadcast(NDArray buffer, int root) {
        check("broadcast", buffer);
        if (root < 0 || root >= shared.worldSize) {
            throw new IllegalArgumentException("broadcast: root " + root + " is not a rank of this group of " + shared.worldSize);
        }
        Object[] deposits = shared.meet("broadcast(root " + root + ")", rank, rank == root ? buffer.toDoubleArray() : null,
                describe(buffer) + ", root " + root, arrays -> arrays[root]);
        write(buffer, (double[]) deposits[0]);
    }

    @Override
    public NDArray[] allGather(NDArray buffer) {
        check("allGather", buffer);
        Object[] deposits = shared.meet("allGather", rank, buffer.toDoubleArray(), describe(buffer), arrays -> arrays);
        Object[] all = (Object[]) deposits[0];
        NDArray[] gathered = new NDArray[all.length];
        for (int member = 0; member < all.length; member++) {
            gathered[member] = shaped((double[]) all[member], buffer);
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

    private static void write(NDArray buffer, double[] values) {
        buffer.copyFrom(shaped(values, buffer).to(buffer.device()));
    }

    /** {@code values} as an array of {@code like}'s shape (a 0-d one included) and dtype. */
    private static NDArray shaped(double[] values, NDArray like) {
        return NDArray.of(values, values.length).reshape(like.shape()).astype(like.dtype());
    }
}
