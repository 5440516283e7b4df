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
    private static final FusedKernels CPU_FUSED = CPU.fused();

    private final EmulatedDevice device;
    private final FusedKernels fused = new Fused();
    private final ConvolutionKernels convolution = new Convolution();
    private final PoolingKernels pooling = new Pooling();

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

    /** The CPU's fused kernels on host views, counted as the GPU's launches. */
    private final class Fused implements FusedKernels {
        @Override
        public void sgdUpdate(SgdArrays arrays, SgdStep step) {
            SgdArrays views = new SgdArrays(host(arrays.param()), host(arrays.grad()), host(arrays.momentumBuffer()));
            device.run(1, () -> CPU_FUSED.sgdUpdate(views, step));
        }

        @Override
        public void adamUpdate(AdamArrays arrays, AdamStep step) {
            AdamArrays views = hostArrays(arrays);
            device.run(1, () -> CPU_FUSED.adamUpdate(views, step));
        }

        /** The learning rate and step count are read when the kernel runs, as the GPU kernel reads them from device memory. */
        @Override
        public void capturableAdamUpdate(AdamArrays arrays, CapturableAdamStep step) {
            AdamArrays views = hostArrays(arrays);
            CapturableAdamStep scalars = new CapturableAdamStep(host(step.lr()), host(step.step()), step.beta1(), step.beta2(), step.eps(),
                    step.weightDecay(), step.decoupledWeightDecay());
            device.run(1, () -> CPU_FUSED.capturableAdamUpdate(views, scalars));
        }

        private AdamArrays hostArrays(AdamArrays arrays) {
            return new AdamArrays(host(arrays.param()), host(arrays.grad()), host(arrays.average()), host(arrays.squareAverage()),
                    host(arrays.maxSquare()));
        }

        /** Two kernels on a GPU: statistics, then normalization. */
        @Override
        public void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, BatchNormStatistics statistics) {
            NDArray a = host(x);
            NDArray w = host(weight);
            NDArray b = host(bias);
            NDArray o = host(out);
            BatchNormStatistics s = hostStatistics(statistics);
            device.run(2, () -> CPU_FUSED.batchNormForward(a, w, b, eps, o, s));
        }

        /** Two kernels on a GPU: the per-channel sums, then the input gradient. */
        @Override
        public void batchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                      BatchNormGradients gradients) {
            NDArray g = host(grad);
            NDArray a = host(x);
            NDArray w = host(weight);
            BatchNormStatistics s = hostStatistics(statistics);
            BatchNormGradients out = new BatchNormGradients(host(gradients.input()), host(gradients.weight()), host(gradients.bias()));
            device.run(2, () -> CPU_FUSED.batchNormBackward(g, a, w, s, out));
        }

        /** Two kernels on a GPU ({@link CudaSpatialBatchNorm}): statistics, then normalization; the same fallback. */
        @Override
        public void spatialBatchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out,
                                            BatchNormStatistics statistics) {
            if (!CudaSpatialBatchNorm.fusable(x, weight, bias, out, statistics.mean(), statistics.invStd())) {
                FusedKernels.super.spatialBatchNormForward(x, weight, bias, eps, out, statistics);
                return;
            }
            NDArray a = host(x);
            NDArray w = host(weight);
            NDArray b = host(bias);
            NDArray o = host(out);
            BatchNormStatistics s = hostStatistics(statistics);
            device.run(CudaSpatialBatchNorm.forwardLaunches(x), () -> CPU_FUSED.spatialBatchNormForward(a, w, b, eps, o, s));
        }

        /** One or two kernels on a GPU: the sums (into a temporary float64 [2, C] buffer, allocated here too), then the input gradient. */
        @Override
        public void spatialBatchNormBackward(NDArray grad, NDArray x, NDArray weight, BatchNormStatistics statistics,
                                             BatchNormGradients gradients) {
            if (!CudaSpatialBatchNorm.fusable(x, grad, statistics.mean(), statistics.invStd(), weight, gradients.input(),
                    gradients.weight(), gradients.bias())) {
                FusedKernels.super.spatialBatchNormBackward(grad, x, weight, statistics, gradients);
                return;
            }
            NDArray g = host(grad);
            NDArray a = host(x);
            NDArray w = host(weight);
            BatchNormStatistics s = hostStatistics(statistics);
            BatchNormGradients out = new BatchNormGradients(host(gradients.input()), host(gradients.weight()), host(gradients.bias()));
            int launches = CudaSpatialBatchNorm.backwardLaunches(x, gradients);
            CachingAllocator.Block sums = launches == 0 ? null : scratch(DType.FLOAT64, 2L * x.shape()[1]);
            device.run(launches, () -> CPU_FUSED.spatialBatchNormBackward(g, a, w, s, out));
            release(sums);
        }

        private BatchNormStatistics hostStatistics(BatchNormStatistics statistics) {
            return new BatchNormStatistics(host(statistics.mean()), host(statistics.invStd()));
        }
    }

    /**
     * The CPU's convolution on host views, counted as {@link CudaConvolutionKernels} launches it
     * (the same bands, so the same number of im2col, GEMM, bias, sum and col2im kernels) and with
     * its temporary buffer taken from the allocator for the duration of the call, so memory
     * statistics see what a GPU's would; the same calls fall back to the composed defaults.
     */
    private final class Convolution implements ConvolutionKernels {
        private final ConvolutionKernels cpu = CPU.convolution();

        private CudaConvolutionKernels.Plan plan(NDArray input, int[] weightShape, Geometry g, int oh, int ow, boolean partials) {
            return CudaConvolutionKernels.Plan.of(input.shape(), weightShape, g, oh, ow, input.dtype(), partials,
                    CudaConvolutionKernels.COLUMN_BYTES);
        }

        @Override
        public void forward(NDArray x, NDArray w, NDArray bias, Geometry g, NDArray out) {
            if (!CudaConvolutionKernels.handles(x, w.shape(), out.shape(2), out.shape(3), out, w, bias)) {
                ConvolutionKernels.super.forward(x, w, bias, g, out);
                return;
            }
            NDArray weight = w.contiguous();
            CudaConvolutionKernels.Plan p = plan(x, weight.shape(), g, out.shape(2), out.shape(3), false);
            NDArray hx = host(x);
            NDArray hw = host(weight);
            NDArray hb = host(bias);
            NDArray ho = host(out);
            CachingAllocator.Block columns = scratch(x.dtype(), p.scratchSize());
            device.run(p.forwardLaunches(bias != null), () -> cpu.forward(hx, hw, hb, g, ho));
            release(columns);
            CudaConvolutionKernels.releaseCopy(weight, w);
        }

        @Override
        public void backwardWeight(NDArray gradOutput, NDArray x, Geometry g, NDArray gradWeight) {
            if (!CudaConvolutionKernels.handles(x, gradWeight.shape(), gradOutput.shape(2), gradOutput.shape(3), gradWeight, gradOutput)) {
                ConvolutionKernels.super.backwardWeight(gradOutput, x, g, gradWeight);
                return;
            }
            NDArray gy = gradOutput.contiguous();
            CudaConvolutionKernels.Plan p = plan(x, gradWeight.shape(), g, gy.shape(2), gy.shape(3), true);
            NDArray hg = host(gy);
            NDArray hx = host(x);
            NDArray hw = host(gradWeight);
            CachingAllocator.Block scratch = scratch(x.dtype(), p.scratchSize());
            device.run(p.backwardWeightLaunches(), () -> cpu.backwardWeight(hg, hx, g, hw));
            release(scratch);
            CudaConvolutionKernels.releaseCopy(gy, gradOutput);
        }

        @Override
        public void backwardInput(NDArray gradOutput, NDArray w, Geometry g, NDArray gradInput) {
            if (!CudaConvolutionKernels.handles(gradInput, w.shape(), gradOutput.shape(2), gradOutput.shape(3), gradInput, gradOutput, w)) {
                ConvolutionKernels.super.backwardInput(gradOutput, w, g, gradInput);
                return;
            }
            NDArray gy = gradOutput.contiguous();
            NDArray weight = w.contiguous();
            CudaConvolutionKernels.Plan p = plan(gradInput, weight.shape(), g, gy.shape(2), gy.shape(3), false);
            NDArray hg = host(gy);
            NDArray hw = host(weight);
            NDArray hi = host(gradInput);
            CachingAllocator.Block columns = scratch(gy.dtype(), p.scratchSize());
            device.run(p.backwardInputLaunches(), () -> cpu.backwardInput(hg, hw, g, hi));
            release(columns);
            CudaConvolutionKernels.releaseCopy(gy, gradOutput);
            CudaConvolutionKernels.releaseCopy(weight, w);
        }
    }

    /** The CPU's max and average pooling on host views, counted as {@link CudaPoolingKernels} launches them; adaptive pooling stays composed. */
    private final class Pooling implements PoolingKernels {
        private final PoolingKernels cpu = CPU.pooling();

        @Override
        public void maxPool2d(NDArray x, Window w, NDArray out, NDArray indices) {
            if (!CudaPoolingKernels.handles(x, out, indices)) {
                PoolingKernels.super.maxPool2d(x, w, out, indices);
                return;
            }
            if (out.size() == 0) {
                return;
            }
            NDArray hx = host(x);
            NDArray ho = host(out);
            NDArray hi = host(indices);
            device.run(1, () -> cpu.maxPool2d(hx, w, ho, hi));
        }

        @Override
        public void maxPool2dBackward(NDArray grad, NDArray indices, NDArray gradInput) {
            if (!CudaPoolingKernels.handles(grad, gradInput, indices)) {
                PoolingKernels.super.maxPool2dBackward(grad, indices, gradInput);
                return;
            }
            NDArray hg = host(grad);
            NDArray hi = host(indices);
            NDArray ho = host(gradInput);
            device.run(CudaPoolingKernels.maxPoolBackwardLaunches(grad, gradInput), () -> cpu.maxPool2dBackward(hg, hi, ho));
        }

        @Override
        public void avgPool2d(NDArray x, Window w, boolean countIncludePad, NDArray out) {
            if (!CudaPoolingKernels.handles(x, out)) {
                PoolingKernels.super.avgPool2d(x, w, countIncludePad, out);
                return;
            }
            if (out.size() == 0) {
                return;
            }
            NDArray hx = host(x);
            NDArray ho = host(out);
            device.run(1, () -> cpu.avgPool2d(hx, w, countIncludePad, ho));
        }

        @Override
        public void avgPool2dBackward(NDArray grad, Window w, boolean countIncludePad, NDArray gradInput) {
            if (!CudaPoolingKernels.handles(grad, gradInput)) {
                PoolingKernels.super.avgPool2dBackward(grad, w, countIncludePad, gradInput);
                return;
            }
            if (gradInput.size() == 0) {
                return;
            }
            NDArray hg = host(grad);
            NDArray hi = host(gradInput);
            device.run(1, () -> cpu.avgPool2dBackward(hg, w, countIncludePad, hi));
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A block of the size of a temporary buffer the GPU backend takes ({@link CudaBackend#scratch}), held
     * from the allocator while the emulated kernels run: the CPU's kernels keep their own scratch, so
     * no host array backs it.
     */
    private CachingAllocator.Block scratch(DType dtype, long size) {
        return device.allocator().allocate(size * dtype.byteSize());
    }

    private void release(CachingAllocator.Block block) {
        if (block != null) {
            device.allocator().release(block);
        }
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
