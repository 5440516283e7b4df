package dev.descent.distributed;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * The elements of {@link TcpProcessGroup}'s messages: arrays packed into little-endian byte
 * buffers in their own dtype (float32 stays 4 bytes), and the element-wise reductions on them.
 * Reductions run in the buffer's dtype, as {@link InProcessGroup}'s do: determinism comes from
 * the order of the additions (fixed: rank order in the star, one fixed order per chunk in the
 * ring, whose result every member then copies), not from a wider accumulator.
 */
final class WireElements {
    /** Values per reduction block: two blocks of this size stay in the L2 cache. */
    private static final int BLOCK_BYTES = WireTransfer.SEGMENT_BYTES;
    private float[] floatsA;
    private float[] floatsB;
    private double[] doublesA;
    private double[] doublesB;
    private int[] intsA;
    private int[] intsB;

    static String name(int dtype) {
        return dtype >= 0 && dtype < DType.values().length ? DType.values()[dtype].toString() : "dtype #" + dtype;
    }

    /** A direct, little-endian buffer of {@code bytes}, position 0, limit = capacity. */
    static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TcpProcessGroup: a message of " + bytes + " bytes is over the 2 GiB a buffer can hold");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies {@code array}'s elements (row-major) into {@code into} from {@code byteOffset}; returns the host copy, for {@link #store}. */
    static Object load(NDArray array, ByteBuffer into, int byteOffset) {
        switch (array.dtype()) {
            case FLOAT32 -> {
                float[] host = array.toFloatArray();
                into.asFloatBuffer().put(byteOffset / 4, host);
                return host;
            }
            case FLOAT64 -> {
                double[] host = array.toDoubleArray();
                into.asDoubleBuffer().put(byteOffset / 8, host);
                return host;
            }
            default -> {
                int[] host = array.toIntArray();
                into.asIntBuffer().put(byteOffset / 4, host);
                return host;
            }
        }
    }

    /** Writes the elements at {@code byteOffset} of {@code from} into {@code array}, through {@code host} (what {@link #load} returned). */
    static void store(ByteBuffer from, int byteOffset, Object host, NDArray array) {
        array.copyFrom(toArray(from, byteOffset, host, array.shape()).to(array.device()));
    }

    /** A new host array of {@code shape} holding the elements at {@code byteOffset}, read through {@code host}, which it overwrites. */
    static NDArray toArray(ByteBuffer from, int byteOffset, Object host, int[] shape) {
        if (host instanceof float[] floats) {
            from.asFloatBuffer().get(byteOffset / 4, floats);
            return NDArray.of(floats).reshape(shape);
        }
        if (host instanceof double[] doubles) {
            from.asDoubleBuffer().get(byteOffset / 8, doubles);
            return NDArray.of(doubles).reshape(shape);
        }
        int[] ints = (int[]) host;
        from.asIntBuffer().get(byteOffset / 4, ints);
        return NDArray.of(ints).reshape(shape);
    }

    /** A fresh host array of {@code count} elements of {@code dtype}, for {@link #toArray}. */
    static Object hostArray(DType dtype, int count) {
        return switch (dtype) {
            case FLOAT32 -> new float[count];
            case FLOAT64 -> new double[count];
            case INT32 -> new int[count];
        };
    }

    /**
     * {@code into[intoByte ...] = op(into[intoByte ...], values[valuesByte ...])} over {@code bytes}
     * bytes of {@code dtype}: through arrays of one block at a time, where the loop vectorizes
     * (element accesses on a direct buffer do not).
     */
    void combine(DType dtype, ReduceOp op, ByteBuffer into, int intoByte, ByteBuffer values, int valuesByte, int bytes) {
        int size = dtype.byteSize();
        int index = intoByte / size;
        int valuesIndex = valuesByte / size;
        int count = bytes / size;
        int block = BLOCK_BYTES / size;
        ensureBlocks(dtype, block);
        switch (dtype) {
            case FLOAT32 -> {
                FloatBuffer a = into.asFloatBuffer();
                FloatBuffer b = values.asFloatBuffer();
                for (int done = 0; done < count; done += block) {
                    int n = Math.min(block, count - done);
                    a.get(index + done, floatsA, 0, n);
                    b.get(valuesIndex + done, floatsB, 0, n);
                    combine(op, floatsA, floatsB, n);
                    a.put(index + done, floatsA, 0, n);
                }
            }
            case FLOAT64 -> {
                DoubleBuffer a = into.asDoubleBuffer();
                DoubleBuffer b = values.asDoubleBuffer();
                for (int done = 0; done < count; done += block) {
                    int n = Math.min(block, count - done);
                    a.get(index + done, doublesA, 0, n);
                    b.get(valuesIndex + done, doublesB, 0, n);
                    combine(op, doublesA, doublesB, n);
                    a.put(index + done, doublesA, 0, n);
                }
            }
            case INT32 -> {
                IntBuffer a = into.asIntBuffer();
                IntBuffer b = values.asIntBuffer();
                for (int done = 0; done < count; done += block) {
                    int n = Math.min(block, count - done);
                    a.get(index + done, intsA, 0, n);
                    b.get(valuesIndex + done, intsB, 0, n);
                    combine(op, intsA, intsB, n);
                    a.put(index + done, intsA, 0, n);
                }
            }
        }
    }

    /** The mean's last step, dividing by the number of members in the dtype (integers round toward zero, as a cast does). */
    void divide(DType dtype, ByteBuffer into, int intoByte, int bytes, int members) {
        int size = dtype.byteSize();
        int index = intoByte / size;
        int count = bytes / size;
        int block = BLOCK_BYTES / size;
        ensureBlocks(dtype, block);
        for (int done = 0; done < count; done += block) {
            int n = Math.min(block, count - done);
            switch (dtype) {
                case FLOAT32 -> {
                    FloatBuffer a = into.asFloatBuffer();
                    a.get(index + done, floatsA, 0, n);
                    float divisor = members;
                    for (int i = 0; i < n; i++) {
                        floatsA[i] /= divisor;
                    }
                    a.put(index + done, floatsA, 0, n);
                }
                case FLOAT64 -> {
                    DoubleBuffer a = into.asDoubleBuffer();
                    a.get(index + done, doublesA, 0, n);
                    for (int i = 0; i < n; i++) {
                        doublesA[i] /= members;
                    }
                    a.put(index + done, doublesA, 0, n);
                }
                case INT32 -> {
                    IntBuffer a = into.asIntBuffer();
                    a.get(index + done, intsA, 0, n);
                    for (int i = 0; i < n; i++) {
                        intsA[i] /= members;
                    }
                    a.put(index + done, intsA, 0, n);
                }
            }
        }
    }

    private void ensureBlocks(DType dtype, int block) {
        switch (dtype) {
            case FLOAT32 -> {
                if (floatsA == null) {
                    floatsA = new float[block];
                    floatsB = new float[block];
                }
            }
            case FLOAT64 -> {
                if (doublesA == null) {
                    doublesA = new double[block];
                    doublesB = new double[block];
                }
            }
            case INT32 -> {
                if (intsA == null) {
                    intsA = new int[block];
                    intsB = new int[block];
                }
            }
        }
    }

    private static void combine(ReduceOp op, float[] a, float[] b, int n) {
        switch (op) {
            case SUM, MEAN -> {
                for (int i = 0; i < n; i++) {
                    a[i] += b[i];
                }
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.max(a[i], b[i]);
                }
            }
            case MIN -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.min(a[i], b[i]);
                }
            }
        }
    }

    private static void combine(ReduceOp op, double[] a, double[] b, int n) {
        switch (op) {
            case SUM, MEAN -> {
                for (int i = 0; i < n; i++) {
                    a[i] += b[i];
                }
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.max(a[i], b[i]);
                }
            }
            case MIN -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.min(a[i], b[i]);
                }
            }
        }
    }

    private static void combine(ReduceOp op, int[] a, int[] b, int n) {
        switch (op) {
            case SUM, MEAN -> {
                for (int i = 0; i < n; i++) {
                    a[i] += b[i];
                }
            }
            case MAX -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.max(a[i], b[i]);
                }
            }
            case MIN -> {
                for (int i = 0; i < n; i++) {
                    a[i] = Math.min(a[i], b[i]);
                }
            }
        }
    }
}
