package dev.descent.core;

/**
 * A stand-in for {@code cuda:0} in tests on machines without a GPU: arrays report the CUDA device
 * and keep to its rules (an operation mixing them with CPU arrays is refused, moving takes
 * {@code to(device)}), but live in host memory and run the CPU kernels, so results are
 * bit-identical to the CPU's. It checks device placement (modules, optimizer state, losses, data
 * loading), not CUDA code: the real backend's tests need a GPU.
 *
 * <p>Off unless the system property {@value #PROPERTY} is {@code true} (a test class switches it
 * on with {@code @ExtendWith(EmulatedCuda.class)}), so that other tests in the same JVM still see
 * a machine without CUDA; the real CUDA backend, when it finds a device, is chosen before it.
 */
public final class EmulatedCudaBackend implements Backend {
    public static final String PROPERTY = "descent.test.emulatedCuda";
    private static final CpuBackend CPU = new CpuBackend();
    static final EmulatedCudaBackend INSTANCE = new EmulatedCudaBackend();

    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Host memory labelled as the emulated device's. */
    private record EmulatedStorage(CpuStorage host) implements Storage {
        @Override
        public Device device() {
            return Device.cuda(0);
        }

        @Override
        public DType dtype() {
            return host.dtype();
        }

        @Override
        public int size() {
            return host.size();
        }
    }

    /** The same view over the host memory behind it, for the CPU kernels. */
    private static NDArray host(NDArray x) {
        if (x == null) {
            return null;
        }
        if (!(x.storage() instanceof EmulatedStorage emulated)) {
            throw new IllegalStateException("emulated cuda:0 backend given an array on " + x.device());
        }
        return new NDArray(emulated.host(), x.shape(), x.strides(), x.offset());
    }

    private static MatrixOperand host(MatrixOperand operand) {
        return new MatrixOperand(((EmulatedStorage) operand.storage()).host(), operand.offset(), operand.leadingDimension(),
                operand.batchStride(), operand.transposed());
    }

    @Override
    public Device device() {
        return Device.cuda(0);
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return new EmulatedStorage((CpuStorage) CPU.allocate(dtype, size));
    }

    @Override
    public Storage upload(Object hostArray) {
        // a copy, as a real device's upload makes
        Object copy = hostArray instanceof float[] f ? f.clone() : hostArray instanceof double[] d ? d.clone()
                : hostArray instanceof int[] i ? i.clone() : hostArray;
        return new EmulatedStorage((CpuStorage) CPU.upload(copy));
    }

    @Override
    public Object download(NDArray x) {
        return CPU.download(host(x));
    }

    @Override
    public void fill(NDArray out, double value) {
        CPU.fill(host(out), value);
    }

    @Override
    public void copy(NDArray source, NDArray out) {
        CPU.copy(host(source), host(out));
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out) {
        CPU.unary(op, host(x), host(out));
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        CPU.binary(op, host(a), host(b), host(out));
    }

    @Override
    public void compare(CompareOp op, NDArray a, NDArray b, NDArray out) {
        CPU.compare(op, host(a), host(b), host(out));
    }

    @Override
    public void where(NDArray condition, NDArray a, NDArray b, NDArray out) {
        CPU.where(host(condition), host(a), host(b), host(out));
    }

    @Override
    public void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out) {
        CPU.reduce(op, host(x), dims, host(out));
    }

    @Override
    public void argReduce(ReduceOp op, NDArray x, int dim, NDArray out) {
        CPU.argReduce(op, host(x), dim, host(out));
    }

    @Override
    public void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        CPU.gemm(batch, m, n, k, host(a), host(b), host(c), accumulate);
    }

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        CPU.gather(host(x), dim, host(index), host(out));
    }

    @Override
    public void scatterAdd(NDArray out, int dim, NDArray index, NDArray source) {
        CPU.scatterAdd(host(out), dim, host(index), host(source));
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        CPU.indexSelect(host(x), dim, host(index), host(out));
    }

    @Override
    public void random(Distribution distribution, double a, double b, Generator generator, NDArray out) {
        CPU.random(distribution, a, b, generator, host(out));
    }

    @Override
    public void sgdUpdate(NDArray param, NDArray grad, NDArray buffer, boolean firstStep, double lr, double momentum,
                          double dampening, double weightDecay, boolean nesterov) {
        CPU.sgdUpdate(host(param), host(grad), host(buffer), firstStep, lr, momentum, dampening, weightDecay, nesterov);
    }

    @Override
    public double sumOfSquares(NDArray x) {
        return CPU.sumOfSquares(host(x));
    }

    @Override
    public void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray invStd) {
        CPU.batchNormForward(host(x), host(weight), host(bias), eps, host(out), host(mean), host(invStd));
    }

    @Override
    public void batchNormBackward(NDArray grad, NDArray x, NDArray mean, NDArray invStd, NDArray weight, NDArray gradInput,
                                  NDArray gradWeight, NDArray gradBias) {
        CPU.batchNormBackward(host(grad), host(x), host(mean), host(invStd), host(weight), host(gradInput), host(gradWeight),
                host(gradBias));
    }

    @Override
    public void adamUpdate(NDArray param, NDArray grad, NDArray average, NDArray squareAverage, NDArray maxSquare,
                           double stepSize, double sqrtBiasCorrection2, double beta1, double beta2, double eps,
                           double weightDecay, double decoupledDecay) {
        CPU.adamUpdate(host(param), host(grad), host(average), host(squareAverage), host(maxSquare), stepSize,
                sqrtBiasCorrection2, beta1, beta2, eps, weightDecay, decoupledDecay);
    }

    @Override
    public void softmaxCrossEntropy(NDArray logits, NDArray targets, int ignoreIndex, NDArray losses, NDArray probabilities) {
        CPU.softmaxCrossEntropy(host(logits), host(targets), ignoreIndex, host(losses), host(probabilities));
    }

    @Override
    public void softmaxCrossEntropyBackward(NDArray probabilities, NDArray targets, int ignoreIndex, NDArray gradLosses,
                                            NDArray gradLogits) {
        CPU.softmaxCrossEntropyBackward(host(probabilities), host(targets), ignoreIndex, host(gradLosses), host(gradLogits));
    }
}
