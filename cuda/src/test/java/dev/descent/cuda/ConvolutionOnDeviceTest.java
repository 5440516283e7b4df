package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.ConvolutionKernels;
import dev.descent.core.ConvolutionKernels.Geometry;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels.Window;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Convolution, pooling and spatial batch norm on {@code cuda:0}: the GPU when there is one, else
 * the emulated device (CI), which must give the CPU's results bit for bit, launch as many kernels
 * as the GPU backend and hold its temporary buffers only for the call.
 */
@ExtendWith(RealOrEmulatedGpu.class)
class ConvolutionOnDeviceTest {
    private static final Device GPU = Device.cuda(0);
    private static final Function<NDArray, ConvolutionKernels> KERNELS = x -> x.backend().convolution();
    private final Random random = new Random(11);

    /** 0 on the emulated device (bit for bit), else the GPU tolerances of {@link CudaConvolutionTest}. */
    private static double tolerance(DType dtype) {
        if (EmulatedDevice.requested()) {
            return 0;
        }
        return dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    @Test
    void convolutionPoolingAndBatchNormMatchTheCpu() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int i = 0; i < 12; i++) {
                ConvolutionCases.convolution(random, dtype, GPU, tolerance(dtype), KERNELS);
                ConvolutionCases.pooling(random, dtype, GPU, tolerance(dtype));
                ConvolutionCases.pooling(random, dtype, GPU, tolerance(dtype));
                ConvolutionCases.spatialBatchNorm(random, dtype, GPU, tolerance(dtype));
            }
            ConvolutionCases.convolution(random, dtype, GPU, tolerance(dtype), KERNELS, 2, 4, 9, 7, 6, 4, 4,
                    new Geometry(1, 1, 1, 2, 1, 2, 1, 1, 2), true);
        }
    }

    /** Launches between two snapshots of the device's counters. */
    private static long launches(DeviceActivity before) {
        return DeviceActivity.of(GPU).minus(before).kernelLaunches();
    }

    /**
     * Each kernel family launches the kernels the GPU backend's plan says (one band here: im2col, a GEMM per group and
     * the bias or image sum or col2im; one pooling kernel, two for max pooling's backward with its clearing; two per
     * batch-norm pass), takes its temporary buffer from the allocator (the peak rises by its size) and gives it back
     * (memory in use returns to where it was).
     */
    @Test
    void kernelsLaunchWhatTheGpuDoesAndReleaseTheirTemporaries() {
        DType dtype = DType.FLOAT32;
        Geometry g = new Geometry(1, 1, 1, 1, 1, 1, 1, 1, 2);
        NDArray x = NDArray.rand(dtype, new dev.descent.core.Generator(1), 2, 4, 6, 6).to(GPU);
        NDArray w = NDArray.rand(dtype, new dev.descent.core.Generator(2), 6, 2, 3, 3).to(GPU);
        NDArray bias = NDArray.rand(dtype, new dev.descent.core.Generator(3), 6).to(GPU);
        NDArray y = NDArray.empty(dtype, new int[] {2, 6, 6, 6}, GPU);
        NDArray gradWeight = NDArray.empty(dtype, new int[] {6, 2, 3, 3}, GPU);
        NDArray gradInput = NDArray.empty(dtype, new int[] {2, 4, 6, 6}, GPU);
        NDArray pooled = NDArray.empty(dtype, new int[] {2, 6, 3, 3}, GPU);
        NDArray indices = NDArray.empty(DType.INT32, new int[] {2, 6, 3, 3}, GPU);
        NDArray gradPooled = NDArray.empty(dtype, new int[] {2, 6, 6, 6}, GPU);
        NDArray normalized = NDArray.empty(dtype, new int[] {2, 6, 36}, GPU);
        BatchNormStatistics statistics = new BatchNormStatistics(NDArray.empty(dtype, new int[] {6}, GPU),
                NDArray.empty(dtype, new int[] {6}, GPU));
        BatchNormGradients gradients = new BatchNormGradients(NDArray.empty(dtype, new int[] {2, 6, 36}, GPU), null,
                NDArray.empty(dtype, new int[] {6}, GPU));
        UnreachableArrays.release(GPU);
        MemoryStatistics before = CudaMemory.statistics(GPU);
        CudaMemory.resetPeak(GPU);
        ConvolutionKernels convolution = y.backend().convolution();
        long columns = 4L * 3 * 3 * 6 * 6 * 2 * dtype.byteSize();   // [2 images, C kH kW, oH oW]

        DeviceActivity start = DeviceActivity.of(GPU);
        convolution.forward(x, w, bias, g, y);
        assertEquals(1 + 2 + 1, launches(start), "forward: im2col, a GEMM per group, the bias");
        assertTrue(CudaMemory.statistics(GPU).peakAllocatedBytes() >= before.allocatedBytes() + columns, CudaMemory.statistics(GPU).toString());

        start = DeviceActivity.of(GPU);
        convolution.backwardWeight(y, x, g, gradWeight);
        assertEquals(1 + 2 + 1, launches(start), "backwardWeight: im2col, a GEMM per group, the image sum");

        start = DeviceActivity.of(GPU);
        convolution.backwardInput(y, w, g, gradInput);
        assertEquals(2 + 1, launches(start), "backwardInput: a GEMM per group, col2im");

        start = DeviceActivity.of(GPU);
        y.backend().pooling().maxPool2d(y, Window.of(2, 2, 0), pooled, indices);
        y.backend().pooling().maxPool2dBackward(pooled, indices, gradPooled);
        y.backend().pooling().avgPool2d(y, Window.of(3, 2, 1), true, pooled);
        y.backend().pooling().avgPool2dBackward(pooled, Window.of(3, 2, 1), false, gradPooled);
        assertEquals(1 + 2 + 1 + 1, launches(start), "pooling");

        NDArray flat = y.reshape(2, 6, 36);
        start = DeviceActivity.of(GPU);
        y.backend().fused().spatialBatchNormForward(flat, null, bias, 1e-5, normalized, statistics);
        y.backend().fused().spatialBatchNormBackward(normalized, flat, bias, statistics, gradients);
        assertEquals(2 + 2, launches(start), "spatial batch norm");

        MemoryStatistics after = CudaMemory.statistics(GPU);
        assertEquals(before.allocatedBytes(), after.allocatedBytes(), before + " -> " + after);
        assertEquals(before.blocksInUse(), after.blocksInUse(), before + " -> " + after);
    }
}
