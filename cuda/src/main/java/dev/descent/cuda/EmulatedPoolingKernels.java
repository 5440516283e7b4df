package dev.descent.cuda;

import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels;

/** The CPU's max and average pooling on host views, counted as {@link CudaPoolingKernels} launches them; adaptive pooling stays composed. */
final class EmulatedPoolingKernels implements PoolingKernels {
    private final EmulatedCudaBackend backend;
    private final EmulatedDevice device;
    private final PoolingKernels cpu;

    EmulatedPoolingKernels(EmulatedCudaBackend backend, PoolingKernels cpu) {
        this.backend = backend;
        this.device = backend.emulatedDevice();
        this.cpu = cpu;
    }

    /** The host view of a device array ({@link EmulatedCudaBackend#host}). */
    private NDArray host(NDArray x) {
        return backend.host(x);
    }

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
