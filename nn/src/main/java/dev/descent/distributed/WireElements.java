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
    /** Bytes per reduction block: the two blocks and the buffers' lines they come from stay in the L2 cache. */
    private static final int BLOCK_BYTES = 64 * 1024;
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

    /**
     * Host arrays of at most this many bytes carry the elements between an array and a wire buffer:
     * they stay in the cache and under the garbage collector's large-object size, where one
     * download of the whole array would allocate, zero and copy a buffer as large as the message.
     */
    private static final int PIECE_BYTES = 256 * 1024;

    /** Copies {@code array}'s elements (row-major) into {@code into} from {@code byteOffset}. */
    static void load(NDArray array, ByteBuffer into, int byteOffset) {
        NDArray flat = array.reshape(-1);   // a view when contiguous, else one copy
        int size = array.dtype().byteSize();
        int piece = PIECE_BYTES / size;
        int count = flat.size();
        for (int start = 0; start < count; start += piece) {
            NDArray part = flat.narrow(0, start, Math.min(piece, count - start));
            int index = byteOffset / size + start;
            switch (array.dtype()) {
                case FLOAT32 -> into.asFloatBuffer().put(index, part.toFloatArray());
                case FLOAT64 -> into.asDoubleBuffer().put(index, part.toDoubleArray());
                case INT32 -> into.asIntBuffer().put(index, part.toIntArray());
            }
        }
    }

    /** Writes the elements at {@code byteOffset} of {@code from} into {@code array}. */
    static void store(ByteBuffer from, int byteOffset, NDArray array) {
        if (!array.isContiguous() || !array.device().equals(dev.descent.core.Device.CPU)) {
            // in one piece: a strided view has no flat view to write through, and a device copy costs per transfer
            array.copyFrom(toArray(from, byteOffset, hostArray(array.dtype(), array.size()), array.shape()).to(array.device()));
            return;
        }
        NDArray flat = array.reshape(-1);
        int size = array.dtype().byteSize();
        int piece = PIECE_BYTES / size;
        int count = flat.size();
        Object host = hostArray(array.dtype(), Math.min(piece, count));
        for (int start = 0; start < count; start += piece) {
            int n = Math.min(piece, count - start);
            if (n < piece) {
                host = hostArray(array.dtype(), n);
            }
            flat.narrow(0, start, n).copyFrom(toArray(from, byteOffset + start * size, host, new int[] {n}));
        }
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
