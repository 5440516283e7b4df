package dev.descent.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.ConvolutionKernels;
import dev.descent.core.ConvolutionKernels.Geometry;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.NDArray;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The convolution, pooling and spatial batch norm kernels of the GPU (convolution.cu) against the
 * CPU backend on random geometries and strided views: float32 within 1e-5 relative, float64 within
 * 1e-12. Convolutions run with the default band budget and with a budget of one image per band, so
 * that banding (several im2col / GEMM rounds, the weight gradient summed across bands) is covered
 * by small problems. Skipped (JUnit assumption) where no CUDA device is present.
 */
class CudaConvolutionTest {
    private static final Device GPU = Device.cuda(0);
    private static final Function<NDArray, ConvolutionKernels> DEFAULT = x -> x.backend().convolution();
    private static final Function<NDArray, ConvolutionKernels> ONE_IMAGE_BANDS = x -> new CudaConvolutionKernels((CudaBackend) x.backend(), 1);
    private final Random random = new Random(7);

    @BeforeEach
    void needsAGpu() {
        assumeTrue(Device.cudaAvailable() && !EmulatedDevice.requested(), "no CUDA device (the PTX kernels need one): " + Device.cudaStatus());
    }

    private static double tolerance(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    @Test
    void convolutionMatchesTheCpuOnRandomGeometries() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int i = 0; i < 40; i++) {
                ConvolutionCases.convolution(random, dtype, GPU, tolerance(dtype), i % 2 == 0 ? DEFAULT : ONE_IMAGE_BANDS);
            }
        }
    }

    @Test
    void sameConvolutionWithAnEvenKernelPadsTopAndBottomApart() {
        // PyTorch's padding='same' for a 4x4 kernel: 1 before, 2 after
        Geometry same = new Geometry(1, 1, 1, 2, 1, 2, 1, 1, 1);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            ConvolutionCases.convolution(random, dtype, GPU, tolerance(dtype), DEFAULT, 3, 4, 9, 7, 5, 4, 4, same, true);
            ConvolutionCases.convolution(random, dtype, GPU, tolerance(dtype), ONE_IMAGE_BANDS, 3, 4, 9, 7, 5, 4, 4, same, false);
        }
    }

    @Test
    void groupedStridedDilatedConvolutionOverManyBands() {
        Geometry g = new Geometry(2, 3, 2, 1, 0, 2, 2, 1, 4);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            ConvolutionCases.convolution(random, dtype, GPU, tolerance(dtype), ONE_IMAGE_BANDS, 5, 8, 13, 11, 12, 3, 2, g, true);
        }
    }

    @Test
    void poolingMatchesTheCpuWithTiesNaNsAndCeilMode() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int i = 0; i < 80; i++) {
                ConvolutionCases.pooling(random, dtype, GPU, tolerance(dtype));
            }
        }
    }

    @Test
    void spatialBatchNormMatchesTheCpu() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int i = 0; i < 20; i++) {
                ConvolutionCases.spatialBatchNorm(random, dtype, GPU, tolerance(dtype));
            }
        }
    }
}
