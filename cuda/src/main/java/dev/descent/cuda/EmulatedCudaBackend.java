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
        CPU.gather(host(x), dim, host(index), host(out));
    }

    @Override
    public void scatterAdd(NDArray out, int dim, NDArray index, NDArray source) {
        launch();
        CPU.scatterAdd(host(out), dim, host(index), host(source));
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        launch();
        CPU.indexSelect(host(x), dim, host(index), host(out));
    }

    /** The CPU's streams: unlike a GPU's Philox uniform and normal fills, the same seed gives the CPU's values here. */
    @Override
    public void random(Distribution distribution, double a, double b, Generator generator, NDArray out) {
        launch();
        CPU.random(distribution, a, b, generator, host(out));
    }

    /** Two kernels on a GPU: zero the total, then add the blocks' partial sums into it. */
    @Override
    public void sumOfSquares(NDArray x, NDArray out) {
        launch();
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
