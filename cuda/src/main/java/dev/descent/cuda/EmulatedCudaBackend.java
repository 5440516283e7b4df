package dev.descent.cuda;

import dev.descent.core.Backend;
import dev.descent.core.ConvolutionKernels;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.FusedKernels;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels;
import dev.descent.core.Storage;
import dev.descent.core.cpu.CpuBackend;

/**
 * The {@link Backend} of the {@linkplain EmulatedDevice emulated} {@code cuda:0}: storages come
 * from the device's caching allocator as on a GPU, each kernel runs the CPU backend on host views
 * of them, and every call is counted as the real backend counts it (one launch per kernel, a
 * copy and a wait per download). Results are bit-identical to the CPU's.
 *
 * <p>Operands are resolved to host views when a kernel is issued (so a released array fails at
 * once, as its device pointer would), and the kernel itself is a closure the device runs now or,
 * while a graph is being captured, records for every replay.
 */
final class EmulatedCudaBackend implements Backend {
    /** The CPU's kernels. */
    private static final Backend CPU = new CpuBackend();

    private final EmulatedDevice device;
    private final FusedKernels fused;
    private final ConvolutionKernels convolution;
    private final PoolingKernels pooling;

    EmulatedCudaBackend(EmulatedDevice device) {
        this.device = device;
        this.fused = new EmulatedFusedKernels(this, CPU.fused());
        this.convolution = new EmulatedConvolutionKernels(this, CPU.convolution());
        this.pooling = new EmulatedPoolingKernels(this, CPU.pooling());
    }

    EmulatedDevice emulatedDevice() {
        return device;
    }

    @Override
    public Device device() {
        return device.device();
    }

    @Override
    public FusedKernels fused() {
        return fused;
    }

    @Override
    public ConvolutionKernels convolution() {
        return convolution;
    }

    @Override
    public PoolingKernels pooling() {
        return pooling;
    }

    /** New memory is zeroed on a GPU by a memset queued like a kernel (and replayed within a graph): so here. */
    @Override
    public Storage allocate(DType dtype, int size) {
        Storage host = CPU.allocate(dtype, size);
        CudaStorage storage = adopt(dtype, size, host);
        NDArray all = NDArray.wrap(host, new int[] {size}, new int[] {1}, 0);
        device.run(1, () -> CPU.fill(all, 0));
        return storage;
    }

    @Override
    public Storage upload(Object hostArray) {
        device.checkNotRecording("an upload");
        // a copy, as a real upload makes: the caller may change its array afterwards
        Object copy = hostArray instanceof float[] f ? f.clone() : hostArray instanceof double[] d ? d.clone()
                : hostArray instanceof int[] i ? i.clone() : null;
        if (copy == null) {
            throw new IllegalArgumentException("upload to " + device.device() + ": expected float[], double[] or int[], got "
                    + (hostArray == null ? "null" : hostArray.getClass().getSimpleName()));
        }
        Storage host = CPU.upload(copy);
        CudaStorage storage = adopt(host.dtype(), host.size(), host);
        device.counters().hostToDevice(storage.bytes());
        return storage;
    }

    /** A device storage over {@code host}, its block taken from the allocator first so that running out of memory fails as on a GPU. */
    private CudaStorage adopt(DType dtype, int size, Storage host) {
        return CudaStorage.emulated(device, dtype, size, device.allocator().allocate((long) size * dtype.byteSize()), host);
    }

    @Override
    public Object download(NDArray x) {
        device.checkNotRecording("a read-back");
        NDArray view = host(x);
        device.counters().deviceToHost((long) x.size() * x.dtype().byteSize());
        device.counters().synchronization();
        return CPU.download(view);
    }

    @Override
    public void fill(NDArray out, double value) {
        NDArray o = host(out);
        device.run(1, () -> CPU.fill(o, value));
    }

    @Override
    public void copy(NDArray source, NDArray out) {
        NDArray s = host(source);
        NDArray o = host(out);
        device.run(1, () -> CPU.copy(s, o));
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out) {
        NDArray a = host(x);
        NDArray o = host(out);
        device.run(1, () -> CPU.unary(op, a, o));
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        NDArray x = host(a);
        NDArray y = host(b);
        NDArray o = host(out);
        device.run(1, () -> CPU.binary(op, x, y, o));
    }

    @Override
    public void compare(CompareOp op, NDArray a, NDArray b, NDArray out) {
        NDArray x = host(a);
        NDArray y = host(b);
        NDArray o = host(out);
        device.run(1, () -> CPU.compare(op, x, y, o));
    }

    @Override
    public void where(NDArray condition, NDArray a, NDArray b, NDArray out) {
        NDArray c = host(condition);
        NDArray x = host(a);
        NDArray y = host(b);
        NDArray o = host(out);
        device.run(1, () -> CPU.where(c, x, y, o));
    }

    @Override
    public void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out) {
        NDArray a = host(x);
        NDArray o = host(out);
        int[] reduced = dims.clone();
        device.run(1, () -> CPU.reduce(op, a, reduced, o));
    }

    @Override
    public void argReduce(ReduceOp op, NDArray x, int dim, NDArray out) {
        NDArray a = host(x);
        NDArray o = host(out);
        device.run(1, () -> CPU.argReduce(op, a, dim, o));
    }

    @Override
    public void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        MatrixOperand x = host(a);
        MatrixOperand y = host(b);
        MatrixOperand z = host(c);
        device.run(1, () -> CPU.gemm(batch, m, n, k, x, y, z, accumulate));
    }

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        NDArray source = host(x);
        NDArray hostIndex = host(index);
        NDArray hostOut = host(out);
        int size = x.shape()[dim];
        device.run(1, () -> {
            NDArray outside = outside(hostIndex, size);
            if (outside == null) {
                CPU.gather(source, dim, hostIndex, hostOut);
                return;
            }
            CPU.gather(source, dim, NDArray.where(outside, zero(hostIndex), hostIndex), hostOut);
            hostOut.copyFrom(NDArray.where(outside, zero(hostOut), hostOut));
        });
    }

    @Override
    public void scatterAdd(NDArray out, int dim, NDArray index, NDArray source) {
        NDArray hostOut = host(out);
        NDArray hostIndex = host(index);
        NDArray hostSource = host(source);
        int size = out.shape()[dim];
        device.run(1, () -> {
            NDArray outside = outside(hostIndex, size);
            if (outside == null) {
                CPU.scatterAdd(hostOut, dim, hostIndex, hostSource);
                return;
            }
            NDArray read = hostSource;   // scatter-add reads the source over the index's shape only
            for (int d = 0; d < hostIndex.rank(); d++) {
                read = read.narrow(d, 0, hostIndex.shape()[d]);
            }
            NDArray kept = NDArray.where(outside, zero(hostSource), read);
            CPU.scatterAdd(hostOut, dim, NDArray.where(outside, zero(hostIndex), hostIndex), kept);
        });
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        NDArray source = host(x);
        NDArray hostIndex = host(index);
        NDArray hostOut = host(out);
        int size = x.shape()[dim];
        device.run(1, () -> {
            NDArray outside = outside(hostIndex, size);
            if (outside == null) {
                CPU.indexSelect(source, dim, hostIndex, hostOut);
                return;
            }
            CPU.indexSelect(source, dim, NDArray.where(outside, zero(hostIndex), hostIndex), hostOut);
            int[] along = new int[hostOut.rank()];
            java.util.Arrays.fill(along, 1);
            along[dim] = hostIndex.size();
            hostOut.copyFrom(NDArray.where(outside.reshape(along), zero(hostOut), hostOut));
        });
    }

    /**
     * Where {@code index} leaves [0, size) (null when nowhere): the GPU kernels never follow such
     * an index (gather and index-select write 0, scatter-add skips it), and neither does the
     * emulation; the caller has counted them for its deferred check.
     */
    private static NDArray outside(NDArray index, int size) {
        NDArray outside = index.lt(0).add(index.ge(size));
        return outside.sum().item() > 0 ? outside : null;
    }

    private static NDArray zero(NDArray like) {
        return NDArray.scalar(like.dtype(), 0);
    }

    /**
     * The CPU's streams: unlike a GPU's Philox uniform and normal fills, the same seed gives the
     * CPU's values here. The generator is drawn when the kernel runs, so each replay of a captured
     * graph draws new keys in the order the eager steps would.
     */
    @Override
    public void random(Distribution distribution, double a, double b, Generator generator, NDArray out) {
        NDArray o = host(out);
        device.run(1, () -> CPU.random(distribution, a, b, generator, o));
    }

    /** One kernel on a GPU: each block adds its partial sum into out. */
    @Override
    public void sumOfSquares(NDArray x, NDArray out) {
        NDArray a = host(x);
        NDArray o = host(out);
        device.run(1, () -> CPU.sumOfSquares(a, o));
    }

    @Override
    public void countOutOfRange(NDArray x, int size, int ignore, NDArray counter) {
        NDArray a = host(x);
        NDArray c = host(counter);
        device.run(1, () -> CPU.countOutOfRange(a, size, ignore, c));
    }

    @Override
    public void softmaxCrossEntropy(NDArray logits, NDArray targets, int ignoreIndex, NDArray losses, NDArray probabilities) {
        NDArray x = host(logits);
        NDArray t = host(targets);
        NDArray l = host(losses);
        NDArray p = host(probabilities);
        device.run(1, () -> CPU.softmaxCrossEntropy(x, t, ignoreIndex, l, p));
    }

    @Override
    public void softmaxCrossEntropyBackward(NDArray probabilities, NDArray targets, int ignoreIndex, NDArray gradLosses,
                                            NDArray gradLogits) {
        NDArray p = host(probabilities);
        NDArray t = host(targets);
        NDArray g = host(gradLosses);
        NDArray o = host(gradLogits);
        device.run(1, () -> CPU.softmaxCrossEntropyBackward(p, t, ignoreIndex, g, o));
    }

    // ------------------------------------------- helpers, shared with the Emulated*Kernels of this package

    /**
     * A block of the size of a temporary buffer the GPU backend takes ({@link CudaBackend#scratch}), held
     * from the allocator while the emulated kernels run: the CPU's kernels keep their own scratch, so
     * no host array backs it.
     */
    CachingAllocator.Block scratch(DType dtype, long size) {
        return device.allocator().allocate(size * dtype.byteSize());
    }

    void release(CachingAllocator.Block block) {
        if (block != null) {
            device.allocator().release(block);
        }
    }

    /** The same view over the host memory behind a storage of this device; a released storage throws here, as a GPU kernel's pointer would. */
    NDArray host(NDArray x) {
        if (x == null) {
            return null;
        }
        return NDArray.wrap(storage(x.storage()).host(), x.shape(), x.strides(), x.offset());
    }

    private MatrixOperand host(MatrixOperand operand) {
        return new MatrixOperand(storage(operand.storage()).host(), operand.offset(), operand.leadingDimension(), operand.batchStride(),
                operand.transposed());
    }

    private CudaStorage storage(Storage storage) {
        if (!(storage instanceof CudaStorage cuda) || cuda.owner() != device) {
            throw new IllegalArgumentException(device.device() + " (emulated) backend: array on " + storage.device() + " reached it");
        }
        return cuda;
    }
}
