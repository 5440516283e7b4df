package dev.descent.cuda;

import dev.descent.core.ConvolutionKernels;
import dev.descent.core.NDArray;

/**
 * The CPU's convolution on host views, counted as {@link CudaConvolutionKernels} launches it
 * (the same bands, so the same number of im2col, GEMM, bias, sum and col2im kernels) and with
 * its temporary buffer taken from the allocator for the duration of the call, so memory
 * statistics see what a GPU's would; the same calls fall back to the composed defaults.
 */
final class EmulatedConvolutionKernels implements ConvolutionKernels {
    private final EmulatedCudaBackend backend;
    private final EmulatedDevice device;
    private final ConvolutionKernels cpu;

    EmulatedConvolutionKernels(EmulatedCudaBackend backend, ConvolutionKernels cpu) {
        this.backend = backend;
        this.device = backend.emulatedDevice();
        this.cpu = cpu;
    }

    /** The host view of a device array ({@link EmulatedCudaBackend#host}). */
    private NDArray host(NDArray x) {
        return backend.host(x);
    }

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
        CachingAllocator.Block columns = backend.scratch(x.dtype(), p.scratchSize());
        device.run(p.forwardLaunches(bias != null), () -> cpu.forward(hx, hw, hb, g, ho));
        backend.release(columns);
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
        CachingAllocator.Block scratch = backend.scratch(x.dtype(), p.scratchSize());
        device.run(p.backwardWeightLaunches(), () -> cpu.backwardWeight(hg, hx, g, hw));
        backend.release(scratch);
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
        CachingAllocator.Block columns = backend.scratch(gy.dtype(), p.scratchSize());
        device.run(p.backwardInputLaunches(), () -> cpu.backwardInput(hg, hw, g, hi));
        backend.release(columns);
        CudaConvolutionKernels.releaseCopy(gy, gradOutput);
        CudaConvolutionKernels.releaseCopy(weight, w);
    }
}
