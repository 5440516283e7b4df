package dev.descent.cuda;

import dev.descent.core.Backend;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.Storage;

/**
 * The {@link Backend} of the {@linkplain EmulatedDevice emulated} {@code cuda:0}: storages come
 * from the device's caching allocator as on a GPU, each kernel runs the CPU backend on host views
 * of them, and every call is counted as the real backend counts it (one launch per kernel, a
 * copy and a wait per download). Results are bit-identical to the CPU's.
 */
final class EmulatedCudaBackend implements Backend {
    /** The CPU's kernels, reached through a host array (core keeps its backend class to itself). */
    private static final Backend CPU = NDArray.empty(DType.FLOAT32, new int[] {0}, Device.CPU).backend();

    private final EmulatedDevice device;

    EmulatedCudaBackend(EmulatedDevice device) {
        this.device = device;
    }

    EmulatedDevice emulatedDevice() {
        return device;
    }

    @Override
    public Device device() {
        return device.device();
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return adopt(dtype, size, CPU.allocate(dtype, size));
    }

    @Override
    public Storage upload(Object hostArray) {
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
        NDArray view = host(x);
        device.counters().deviceToHost((long) x.size() * x.dtype().byteSize());
        device.counters().synchronization();
        return CPU.download(view);
    }

    @Override
    public void fill(NDArray out, double value) {
        launch();
        CPU.fill(host(out), value);
    }

    @Override
    public void copy(NDArray source, NDArray out) {
        launch();
        CPU.copy(host(source), host(out));
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out) {
        launch();
        CPU.unary(op, host(x), host(out));
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        launch();
        CPU.binary(op, host(a), host(b), host(out));
    }

    @Override
    public void compare(CompareOp op, NDArray a, NDArray b, NDArray out) {
        launch();
        CPU.compare(op, host(a), host(b), host(out));
    }

    @Override
    public void where(NDArray condition, NDArray a, NDArray b, NDArray out) {
        launch();
        CPU.where(host(condition), host(a), host(b), host(out));
    }

    @Override
    public void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out) {
        launch();
        CPU.reduce(op, host(x), dims, host(out));
    }

    @Override
    public void argReduce(ReduceOp op, NDArray x, int dim, NDArray out) {
        launch();
        CPU.argReduce(op, host(x), dim, host(out));
    }

    @Override
    public void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        launch();
        CPU.gemm(batch, m, n, k, host(a), host(b), host(c), accumulate);
    }

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        launch();
        NDArray hostIndex = host(index);
        NDArray outside = outside(hostIndex, x.shape()[dim]);
        if (outside == null) {
            CPU.gather(host(x), dim, hostIndex, host(out));
            return;
        }
        NDArray hostOut = host(out);
        CPU.gather(host(x), dim, NDArray.where(outside, zero(hostIndex), hostIndex), hostOut);
        hostOut.copyFrom(NDArray.where(outside, zero(hostOut), hostOut));
    }

    @Override
    public void scatterAdd(NDArray out, int dim, NDArray index, NDArray source) {
        launch();
        NDArray hostIndex = host(index);
        NDArray hostSource = host(source);
        NDArray outside = outside(hostIndex, out.shape()[dim]);
        if (outside == null) {
            CPU.scatterAdd(host(out), dim, hostIndex, hostSource);
            return;
        }
        NDArray read = hostSource;   // scatter-add reads the source over the index's shape only
        for (int d = 0; d < index.rank(); d++) {
            read = read.narrow(d, 0, index.shape()[d]);
        }
        NDArray kept = NDArray.where(outside, zero(hostSource), read);
        CPU.scatterAdd(host(out), dim, NDArray.where(outside, zero(hostIndex), hostIndex), kept);
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        launch();
        NDArray hostIndex = host(index);
        NDArray outside = outside(hostIndex, x.shape()[dim]);
        if (outside == null) {
            CPU.indexSelect(host(x), dim, hostIndex, host(out));
            return;
        }
        NDArray hostOut = host(out);
        CPU.indexSelect(host(x), dim, NDArray.where(outside, zero(hostIndex), hostIndex), hostOut);
        int[] along = new int[out.rank()];
        java.util.Arrays.fill(along, 1);
        along[dim] = index.size();
        hostOut.copyFrom(NDArray.where(outside.reshape(along), zero(hostOut), hostOut));
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

    /** The CPU's streams: unlike a GPU's Philox uniform and normal fills, the same seed gives the CPU's values here. */
    @Override
    public void random(Distribution distribution, double a, double b, Generator generator, NDArray out) {
        launch();
        CPU.random(distribution, a, b, generator, host(out));
    }

    /** One kernel on a GPU: each block adds its partial sum into out. */
    @Override
    public void sumOfSquares(NDArray x, NDArray out) {
        launch();
        CPU.sumOfSquares(host(x), host(out));
    }

    @Override
    public void sgdUpdate(NDArray param, NDArray grad, NDArray buffer, boolean firstStep, double lr, double momentum, double dampening,
                          double weightDecay, boolean nesterov) {
        launch();
        CPU.sgdUpdate(host(param), host(grad), host(buffer), firstStep, lr, momentum, dampening, weightDecay, nesterov);
    }

    @Override
    public void adamUpdate(NDArray param, NDArray grad, NDArray average, NDArray squareAverage, NDArray maxSquare, double stepSize,
                           double sqrtBiasCorrection2, double beta1, double beta2, double eps, double weightDecay, double decoupledDecay) {
        launch();
        CPU.adamUpdate(host(param), host(grad), host(average), host(squareAverage), host(maxSquare), stepSize, sqrtBiasCorrection2, beta1,
                beta2, eps, weightDecay, decoupledDecay);
    }

    /** Two kernels on a GPU: statistics, then normalization. */
    @Override
    public void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray invStd) {
        launch();
        launch();
        CPU.batchNormForward(host(x), host(weight), host(bias), eps, host(out), host(mean), host(invStd));
    }

    /** Two kernels on a GPU: the per-channel sums, then the input gradient. */
    @Override
    public void batchNormBackward(NDArray grad, NDArray x, NDArray mean, NDArray invStd, NDArray weight, NDArray gradInput,
                                  NDArray gradWeight, NDArray gradBias) {
        launch();
        launch();
        CPU.batchNormBackward(host(grad), host(x), host(mean), host(invStd), host(weight), host(gradInput), host(gradWeight),
                host(gradBias));
    }

    @Override
    public void softmaxCrossEntropy(NDArray logits, NDArray targets, int ignoreIndex, NDArray losses, NDArray probabilities) {
        launch();
        CPU.softmaxCrossEntropy(host(logits), host(targets), ignoreIndex, host(losses), host(probabilities));
    }

    @Override
    public void softmaxCrossEntropyBackward(NDArray probabilities, NDArray targets, int ignoreIndex, NDArray gradLosses,
                                            NDArray gradLogits) {
        launch();
        CPU.softmaxCrossEntropyBackward(host(probabilities), host(targets), ignoreIndex, host(gradLosses), host(gradLogits));
    }

    // ---------------------------------------------------------------- helpers

    private void launch() {
        device.counters().kernelLaunch();
    }

    /** The same view over the host memory behind a storage of this device; a released storage throws here, as a GPU kernel's pointer would. */
    private NDArray host(NDArray x) {
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
