package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.ConvolutionKernels;
import dev.descent.core.ConvolutionKernels.Geometry;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The CPU's convolution kernels against the composed defaults on random geometries: strides,
 * asymmetric padding, dilation, groups, one input channel (the direct kernel), bands of output
 * rows that do not divide the height, non-contiguous inputs, float64 and float32.
 */
class ConvolutionKernelTest {

    @Test
    void cpuKernelsEqualTheComposedOnesOnRandomGeometries() {
        Random random = new Random(7);
        for (int trial = 0; trial < 60; trial++) {
            DType dtype = trial % 3 == 2 ? DType.FLOAT32 : DType.FLOAT64;
            int groups = 1 + random.nextInt(3);
            int groupChannels = trial % 4 == 0 ? 1 : 1 + random.nextInt(3);
            int outputs = groups * (1 + random.nextInt(3));
            int kh = 1 + random.nextInt(3);
            int kw = 1 + random.nextInt(4);
            Geometry g = new Geometry(1 + random.nextInt(2), 1 + random.nextInt(3), random.nextInt(2), random.nextInt(3),
                    random.nextInt(3), random.nextInt(2), 1 + random.nextInt(2), 1 + random.nextInt(2), groups);
            int n = 1 + random.nextInt(4);
            int h = g.dilationH() * (kh - 1) + 1 + random.nextInt(9);
            int w = g.dilationW() * (kw - 1) + 1 + random.nextInt(40);
            Generator generator = new Generator(trial);
            // a transposed view: H and W swapped back, so x is [N, C, H, W] but not contiguous
            NDArray x = NDArray.randn(dtype, generator, n, groups * groupChannels, w, h).transpose(2, 3);
            if (trial % 5 == 1) {
                x = NDArray.randn(dtype, generator, n, groups * groupChannels, h, 2 * w).slice(3, 0, 2 * w, 2);
            }
            NDArray weight = NDArray.randn(dtype, generator, outputs, groupChannels, kh, kw);
            NDArray bias = trial % 2 == 0 ? NDArray.randn(dtype, generator, outputs) : null;
            int oh = g.outputHeight(h, kh);
            int ow = g.outputWidth(w, kw);
            String label = "trial " + trial + " " + dtype + " x " + Arrays.toString(x.shape()) + " w " + Arrays.toString(weight.shape())
                    + " " + g;
            NDArray expected = NDArray.zeros(dtype, n, outputs, oh, ow);
            NDArray actual = NDArray.zeros(dtype, n, outputs, oh, ow);
            ConvolutionKernels.COMPOSED.forward(x, weight, bias, g, expected);
            CpuConvolution.INSTANCE.forward(x, weight, bias, g, actual);
            assertClose(expected, actual, dtype, label + " forward");
            if (groupChannels == 1) {
                NDArray direct = NDArray.zeros(dtype, n, outputs, oh, ow);
                DirectConvolution.forward(x, weight.contiguous(), bias, g, direct);
                assertClose(expected, direct, dtype, label + " direct forward");
            }

            NDArray gy = NDArray.randn(dtype, generator, n, outputs, oh, ow);
            NDArray gxExpected = NDArray.zeros(dtype, x.shape());
            NDArray gxActual = NDArray.zeros(dtype, x.shape());
            ConvolutionKernels.COMPOSED.backwardInput(gy, weight, g, gxExpected);
            CpuConvolution.INSTANCE.backwardInput(gy, weight, g, gxActual);
            assertClose(gxExpected, gxActual, dtype, label + " input gradient");

            NDArray gwExpected = NDArray.zeros(dtype, weight.shape());
            NDArray gwActual = NDArray.zeros(dtype, weight.shape());
            ConvolutionKernels.COMPOSED.backwardWeight(gy, x, g, gwExpected);
            CpuConvolution.INSTANCE.backwardWeight(gy, x, g, gwActual);
            assertClose(gwExpected, gwActual, dtype, label + " weight gradient");
        }
    }

    @Test
    void bandsSmallerThanTheImageGiveTheWholeImagesResult() {
        // 64 channels of 3x3 over 60 columns: a column row is 2,304 floats, so a 1 MiB band holds 113 of 150 rows
        Generator generator = new Generator(3);
        NDArray x = NDArray.randn(DType.FLOAT32, generator, 3, 64, 150, 60);
        NDArray weight = NDArray.randn(DType.FLOAT32, generator, 8, 64, 3, 3);
        Geometry g = Geometry.of(1, 1, 1, 1);
        NDArray expected = NDArray.zeros(DType.FLOAT32, 3, 8, 150, 60);
        NDArray actual = NDArray.zeros(DType.FLOAT32, 3, 8, 150, 60);
        ConvolutionKernels.COMPOSED.forward(x, weight, null, g, expected);
        CpuConvolution.INSTANCE.forward(x, weight, null, g, actual);
        assertClose(expected, actual, DType.FLOAT32, "banded forward");
        NDArray gy = NDArray.randn(DType.FLOAT32, generator, 3, 8, 150, 60);
        NDArray gxExpected = NDArray.zeros(DType.FLOAT32, x.shape());
        NDArray gxActual = NDArray.zeros(DType.FLOAT32, x.shape());
        ConvolutionKernels.COMPOSED.backwardInput(gy, weight, g, gxExpected);
        CpuConvolution.INSTANCE.backwardInput(gy, weight, g, gxActual);
        assertClose(gxExpected, gxActual, DType.FLOAT32, "banded input gradient");
        NDArray gwExpected = NDArray.zeros(DType.FLOAT32, weight.shape());
        NDArray gwActual = NDArray.zeros(DType.FLOAT32, weight.shape());
        ConvolutionKernels.COMPOSED.backwardWeight(gy, x, g, gwExpected);
        CpuConvolution.INSTANCE.backwardWeight(gy, x, g, gwActual);
        assertClose(gwExpected, gwActual, DType.FLOAT32, "banded weight gradient");
    }

    private static void assertClose(NDArray expected, NDArray actual, DType dtype, String what) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double scale = 1;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tolerance = (dtype == DType.FLOAT64 ? 1e-12 : 1e-4) * scale;
        for (int i = 0; i < e.length; i++) {
            int index = i;
            assertTrue(Math.abs(e[i] - a[i]) <= tolerance, () -> what + ": element " + index + " expected " + e[index] + " got " + a[index]);
        }
    }
}
