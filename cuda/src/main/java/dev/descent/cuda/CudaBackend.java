package dev.descent.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.descent.core.Backend;
import dev.descent.core.ConvolutionKernels;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.FusedKernels;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels;
import dev.descent.core.Storage;
import jcuda.Pointer;

/**
 * The {@link Backend} of one NVIDIA GPU: our PTX kernels (sources in {@code cuda/src/main/cuda})
 * launched through the driver API, and cuBLAS or our own kernel for matrix products. Every call
 * only queues work on the device's stream; {@link #download} is the one that waits.
 *
 * <p>Kernels see strided operands through {@link StridedLayout}; the fused kernels (optimizer
 * updates, batch norm) take contiguous arrays and fall back to the composed defaults otherwise.
 */
final class CudaBackend implements Backend {
    private final CudaDevice device;
    private final FusedKernels fused = new CudaFusedKernels(this);
    private final ConvolutionKernels convolution = new CudaConvolutionKernels(this, CudaConvolutionKernels.COLUMN_BYTES);
    private final PoolingKernels pooling = new CudaPoolingKernels(this);

    CudaBackend(CudaDevice device) {
        this.device = device;
    }

    @Override
    public Device device() {
        return device.device();
    }

    CudaDevice cudaDevice() {
        return device;
    }

    @Override
    public FusedKernels fused() {
        return fused;
    }

    /** im2col and the GEMM ({@link CudaConvolutionKernels}). */
    @Override
    public ConvolutionKernels convolution() {
        return convolution;
    }

    /** Max and average pooling kernels ({@link CudaPoolingKernels}); adaptive pooling stays composed. */
    @Override
    public PoolingKernels pooling() {
        return pooling;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        CudaStorage storage = CudaStorage.onGpu(device, dtype, size, device.allocator().allocate((long) size * dtype.byteSize()));
        if (size > 0) {
            device.makeCurrent();
            device.countLaunch();   // a memset is queued like a kernel
            cuMemsetD8Async(storage.pointer(), (byte) 0, storage.bytes(), device.stream());
        }
        return storage;
    }

    @Override
    public Storage upload(Object hostArray) {
        Pointer host;
        DType dtype;
        int size;
        if (hostArray instanceof float[] f) {
            host = Pointer.to(f);
            dtype = DType.FLOAT32;
            size = f.length;
        } else if (hostArray instanceof double[] d) {
            host = Pointer.to(d);
            dtype = DType.FLOAT64;
            size = d.length;
        } else if (hostArray instanceof int[] i) {
            host = Pointer.to(i);
            dtype = DType.INT32;
            size = i.length;
        } else {
            throw new IllegalArgumentException("upload to " + device.device() + ": expected float[], double[] or int[], got "
                    + (hostArray == null ? "null" : hostArray.getClass().getSimpleName()));
        }
        device.checkNotRecording("an upload");
        CudaStorage storage = CudaStorage.onGpu(device, dtype, size, device.allocator().allocate((long) size * dtype.byteSize()));
        if (size > 0) {
            device.makeCurrent();
            device.counters().hostToDevice(storage.bytes());
            // from pageable memory the driver stages the array before returning, so it may move afterwards
            cuMemcpyHtoDAsync(storage.pointer(), host, storage.bytes(), device.stream());
        }
        return storage;
    }

    @Override
    public Object download(NDArray x) {
        device.checkNotRecording("a read-back");
        NDArray contiguous = x.isContiguous() ? x : x.copy();
        int size = x.size();
        Object host = switch (x.dtype()) {
            case FLOAT32 -> new float[size];
            case FLOAT64 -> new double[size];
            case INT32 -> new int[size];
        };
        if (size > 0) {
            Pointer target = host instanceof float[] f ? Pointer.to(f) : host instanceof double[] d ? Pointer.to(d) : Pointer.to((int[]) host);
            CudaStorage storage = storage(contiguous);
            device.makeCurrent();
            device.counters().deviceToHost((long) size * x.dtype().byteSize());
            device.counters().synchronization();
            cuMemcpyDtoHAsync(target, storage.pointer(contiguous.offset()), (long) size * x.dtype().byteSize(), device.stream());
            cuStreamSynchronize(device.stream());
        }
        if (contiguous != x) {
            contiguous.storage().release();   // the copy was only for this read
        }
        return host;
    }

    @Override
    public void fill(NDArray out, double value) {
        StridedLayout layout = layout("fill", out.shape(), out);
        if (layout.count() == 0) {
            return;
        }
        Object typed = switch (out.dtype()) {
            case FLOAT32 -> (float) value;
            case FLOAT64 -> value;
            case INT32 -> (int) value;
        };
        launch("fill_" + suffix(out.dtype()), layout.count(), storage(out), layout.pack(), layout.count(), typed);
    }

    @Override
    public void copy(NDArray source, NDArray out) {
        if (source.dtype() == out.dtype() && source.isContiguous() && out.isContiguous()) {
            if (out.size() > 0) {
                device.makeCurrent();
                device.countLaunch();   // a device-to-device copy is queued like a kernel
                cuMemcpyDtoDAsync(storage(out).pointer(out.offset()), storage(source).pointer(source.offset()),
                        (long) out.size() * out.dtype().byteSize(), device.stream());
            }
            return;
        }
        StridedLayout layout = layout("copy", out.shape(), source, out);
        if (layout.count() > 0) {
            launch("copy_" + suffix(source.dtype()) + "_" + suffix(out.dtype()), layout.count(), storage(source), storage(out),
                    layout.pack(), layout.count());
        }
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out) {
        StridedLayout layout = layout("unary " + op, out.shape(), x, out);
        if (layout.count() > 0) {
            launch("unary_" + suffix(out.dtype()), layout.count(), op.ordinal(), storage(x), storage(out), layout.pack(), layout.count());
        }
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        StridedLayout layout = layout("binary " + op, out.shape(), a, b, out);
        if (layout.count() > 0) {
            launch("binary_" + suffix(out.dtype()), layout.count(), op.ordinal(), storage(a), storage(b), storage(out), layout.pack(),
                    layout.count());
        }
    }

    @Override
    public void compare(CompareOp op, NDArray a, NDArray b, NDArray out) {
        StridedLayout layout = layout("compare " + op, out.shape(), a, b, out);
        if (layout.count() > 0) {
            launch("compare_" + suffix(a.dtype()), layout.count(), op.ordinal(), storage(a), storage(b), storage(out), layout.pack(),
                    layout.count());
        }
    }

    @Override
    public void where(NDArray condition, NDArray a, NDArray b, NDArray out) {
        StridedLayout layout = layout("where", out.shape(), condition, a, b, out);
        if (layout.count() > 0) {
            launch("where_" + suffix(out.dtype()), layout.count(), storage(condition), storage(a), storage(b), storage(out),
                    layout.pack(), layout.count());
        }
    }

    @Override
    public void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out) {
        ReductionSplit split = ReductionSplit.of(x, dims, out);
        long outputs = split.outer().count();
        if (outputs == 0) {
            return;
        }
        long count = split.inner().count();
        device.launch("reduce_" + suffix(x.dtype()), blocks(outputs), threadsFor(count), op.ordinal(), storage(x), storage(out),
                split.outer().pack(), outputs, split.inner().pack(), count);
    }

    @Override
    public void argReduce(ReduceOp op, NDArray x, int dim, NDArray out) {
        ReductionSplit split = ReductionSplit.of(x, new int[] {dim}, out);
        long outputs = split.outer().count();
        if (outputs == 0) {
            return;
        }
        int length = x.shape()[dim];
        device.launch("arg_reduce_" + suffix(x.dtype()), blocks(outputs), threadsFor(length), op.ordinal(), storage(x), storage(out),
                split.outer().pack(), outputs, length, x.strides()[dim]);
    }

    @Override
    public void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        DType dtype = a.storage().dtype();
        if (k == 0) {
            if (!accumulate) {
                // an empty sum: C = 0 (the kernels would not touch C)
                NDArray view = NDArray.wrap(c.storage(), new int[] {batch, m, n}, new int[] {c.batchStride(), c.leadingDimension(), 1},
                        c.offset());
                fill(view, 0);
            }
            return;
        }
        device.gemm().gemm(dtype, batch, m, n, k, a, b, c, accumulate);
    }

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        StridedLayout layout = StridedLayout.unmerged("gather", index.shape(), new int[][] {index.strides(), x.strides(), out.strides()},
                new int[] {index.offset(), x.offset(), out.offset()});
        if (layout.count() > 0) {
            launch("gather_" + suffix(x.dtype()), layout.count(), storage(x), storage(index), storage(out), layout.pack(), dim,
                    x.shape()[dim], layout.count());
        }
    }

    @Override
    public void scatterAdd(NDArray out, int dim, NDArray index, NDArray source) {
        StridedLayout layout = StridedLayout.unmerged("scatterAdd", index.shape(),
                new int[][] {index.strides(), out.strides(), source.strides()}, new int[] {index.offset(), out.offset(), source.offset()});
        if (layout.count() > 0) {
            launch("scatter_add_" + suffix(out.dtype()), layout.count(), storage(out), storage(index), storage(source), layout.pack(), dim,
                    out.shape()[dim], layout.count());
        }
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        StridedLayout layout = StridedLayout.unmerged("indexSelect", out.shape(), new int[][] {x.strides(), out.strides()},
                new int[] {x.offset(), out.offset()});
        if (layout.count() > 0) {
            launch("index_select_" + suffix(x.dtype()), layout.count(), storage(x), storage(index), index.strides()[0], index.offset(),
                    storage(out), layout.pack(), dim, x.shape()[dim], layout.count());
        }
    }

    /**
     * Bernoulli fills use the same SplitMix64 counter stream as the CPU (same mask for the same
     * seed); uniform and normal fills use Philox4x32-10 keyed by one draw of the generator, not
     * the generator's sequential stream that the CPU backend consumes, so those values differ
     * from the CPU's for the same seed (as they do between PyTorch's CPU and CUDA generators).
     */
    @Override
    public void random(Distribution distribution, double a, double b, Generator generator, NDArray out) {
        if (out.dtype() == DType.INT32) {
            throw new IllegalArgumentException("random on " + device.device() + ": needs a floating-point array, got INT32");
        }
        // recorded into a graph, the fill reads its key from device memory, drawn anew before every replay
        Object key = device.recording() ? device.recordedKey(generator) : (Object) generator.nextLong();
        String keyed = device.recording() ? "_keyed_" : "_";
        StridedLayout layout = layout("random", out.shape(), out);
        if (layout.count() == 0) {
            return;
        }
        String suffix = suffix(out.dtype());
        if (distribution == Distribution.BERNOULLI) {
            long threshold = (long) Math.ceil(a * 0x1.0p53);
            Object value = out.dtype() == DType.FLOAT32 ? (Object) (float) b : (Object) b;
            launch("bernoulli" + keyed + suffix, layout.count(), storage(out), layout.pack(), layout.count(), key, threshold, value);
        } else {
            launch("philox" + keyed + suffix, layout.count(), storage(out), layout.pack(), layout.count(), key,
                    distribution == Distribution.UNIFORM ? 0 : 1, a, b);
        }
    }

    @Override
    public void sumOfSquares(NDArray x, NDArray out) {
        StridedLayout layout = layout("sumOfSquares", x.shape(), x);
        if (layout.count() > 0) {
            launch("sum_of_squares_" + suffix(x.dtype()), layout.count(), storage(x), layout.pack(), layout.count(), at(out));
        }
    }

    @Override
    public void countOutOfRange(NDArray x, int size, int ignore, NDArray counter) {
        StridedLayout layout = layout("countOutOfRange", x.shape(), x);
        if (layout.count() > 0) {
            launch("count_out_of_range", layout.count(), storage(x), layout.pack(), layout.count(), size, ignore, at(counter));
        }
    }

    @Override
    public void softmaxCrossEntropy(NDArray logits, NDArray targets, int ignoreIndex, NDArray losses, NDArray probabilities) {
        if (logits.rank() != 2 || logits.dtype() == DType.INT32 || !contiguous(logits, targets, losses, probabilities)) {
            Backend.super.softmaxCrossEntropy(logits, targets, ignoreIndex, losses, probabilities);
            return;
        }
        int rows = logits.shape()[0];
        device.launch("softmax_cross_entropy_" + suffix(logits.dtype()), CudaDevice.blocksFor(rows), CudaDevice.THREADS, at(logits),
                at(targets), ignoreIndex, at(losses), at(probabilities), rows, logits.shape()[1]);
    }

    @Override
    public void softmaxCrossEntropyBackward(NDArray probabilities, NDArray targets, int ignoreIndex, NDArray gradLosses,
                                            NDArray gradLogits) {
        if (probabilities.rank() != 2 || probabilities.dtype() == DType.INT32
                || !contiguous(probabilities, targets, gradLosses, gradLogits)) {
            Backend.super.softmaxCrossEntropyBackward(probabilities, targets, ignoreIndex, gradLosses, gradLogits);
            return;
        }
        int rows = probabilities.shape()[0];
        int classes = probabilities.shape()[1];
        launch("softmax_cross_entropy_backward_" + suffix(probabilities.dtype()), (long) rows * classes, at(probabilities), at(targets),
                ignoreIndex, at(gradLosses), at(gradLogits), rows, classes);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A temporary device buffer of {@code size} elements, not cleared (its kernels write every
     * element before reading it, so the memset of {@link #allocate} would be wasted); the caller
     * releases it once its last kernel is queued.
     */
    CudaStorage scratch(DType dtype, long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(device.device() + ": temporary buffer of " + size + " elements, more than an array holds");
        }
        return CudaStorage.onGpu(device, dtype, (int) size, device.allocator().allocate(size * dtype.byteSize()));
    }

    /** Queues {@code kernel} with a grid-stride loop over {@code elements}. */
    void launch(String kernel, long elements, Object... arguments) {
        device.launch(kernel, CudaDevice.blocksFor(elements), CudaDevice.THREADS, arguments);
    }

    private static int blocks(long outputs) {
        return (int) Math.min(outputs, CudaDevice.MAX_BLOCKS);
    }

    /** A power of two from 32 to 256: the reduction kernels' tree needs one. */
    static int threadsFor(long count) {
        int threads = 32;
        while (threads < CudaDevice.THREADS && threads < count) {
            threads *= 2;
        }
        return threads;
    }

    CudaStorage storage(NDArray x) {
        if (!(x.storage() instanceof CudaStorage storage) || storage.owner() != device) {
            throw new IllegalArgumentException(device.device() + " backend: array on " + x.device() + " reached it");
        }
        return storage;
    }

    /** The device pointer to an array's first element (a strided array's other elements are the kernel's to find), or null for a missing one. */
    Pointer at(NDArray x) {
        return x == null ? null : storage(x).pointer(x.offset());
    }

    static boolean contiguous(NDArray... arrays) {
        for (NDArray x : arrays) {
            if (x != null && !x.isContiguous()) {
                return false;
            }
        }
        return true;
    }

    private static StridedLayout layout(String op, int[] shape, NDArray... operands) {
        int[][] strides = new int[operands.length][];
        int[] offsets = new int[operands.length];
        for (int k = 0; k < operands.length; k++) {
            strides[k] = operands[k].strides();
            offsets[k] = operands[k].offset();
        }
        return StridedLayout.of(op, shape, strides, offsets);
    }

    static String suffix(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
        };
    }
}
