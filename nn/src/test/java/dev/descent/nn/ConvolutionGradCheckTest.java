package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * conv2d and conv1d against float64 finite differences on random geometries (stride, int and
 * "same" padding, dilation, groups, bias or none), on inputs that are transposed or strided views,
 * one input channel per group included (the CPU runs im2col for it; the direct kernel is checked
 * against the composed kernels in core); the double backward
 * too, and the weight gradient over a column block cut into bands that do not divide the output.
 */
class ConvolutionGradCheckTest {

    private static void assertPasses(GradCheck.Result result, String what) {
        assertTrue(result.passed(), what + ": " + result);
    }

    /** A FLOAT64 leaf of shape [n, c, h, w] stored transposed ([n, c, w, h] swapped), so it is not contiguous. */
    private static Tensor transposedInput(Generator generator, int n, int c, int h, int w) {
        return Tensor.of(NDArray.randn(DType.FLOAT64, generator, n, c, w, h).transpose(2, 3)).requiresGrad(true);
    }

    @Test
    void conv2dGradientsMatchFiniteDifferences() {
        Random random = new Random(11);
        for (int trial = 0; trial < 14; trial++) {
            Generator generator = new Generator(100 + trial);
            int groups = 1 + random.nextInt(2);
            int groupChannels = trial % 3 == 0 ? 1 : 1 + random.nextInt(2);
            int outputs = groups * (1 + random.nextInt(2));
            int[] kernel = {1 + random.nextInt(3), 1 + random.nextInt(3)};
            int[] dilation = {1 + random.nextInt(2), 1 + random.nextInt(2)};
            boolean same = trial % 4 == 1;
            int[] stride = same ? new int[] {1, 1} : new int[] {1 + random.nextInt(2), 1 + random.nextInt(2)};
            int[] padding = {random.nextInt(2), random.nextInt(3)};
            int h = dilation[0] * (kernel[0] - 1) + 1 + random.nextInt(4);
            int w = dilation[1] * (kernel[1] - 1) + 1 + random.nextInt(4);
            Tensor x = trial % 2 == 0 ? transposedInput(generator, 2, groups * groupChannels, h, w)
                    : Tensor.of(NDArray.randn(DType.FLOAT64, generator, 2, groups * groupChannels, h, 2 * w).slice(3, 1, 2 * w, 2))
                    .requiresGrad(true);
            Tensor weight = Tensor.randn(DType.FLOAT64, generator, outputs, groupChannels, kernel[0], kernel[1]).requiresGrad(true);
            Tensor bias = trial % 3 == 2 ? null : Tensor.randn(DType.FLOAT64, generator, outputs).requiresGrad(true);
            String label = "trial " + trial + ": x " + Arrays.toString(x.shape()) + ", w " + Arrays.toString(weight.shape())
                    + ", stride " + Arrays.toString(stride) + (same ? ", same" : ", padding " + Arrays.toString(padding))
                    + ", dilation " + Arrays.toString(dilation) + ", groups " + groups + (bias == null ? ", no bias" : "");
            if (bias == null) {
                assertPasses(GradCheck.check(in -> same ? Convolutions.conv2d(in[0], in[1], null, stride, "same", dilation, groups)
                        : Convolutions.conv2d(in[0], in[1], null, stride, padding, dilation, groups), x, weight), label);
            } else {
                assertPasses(GradCheck.check(in -> same ? Convolutions.conv2d(in[0], in[1], in[2], stride, "same", dilation, groups)
                        : Convolutions.conv2d(in[0], in[1], in[2], stride, padding, dilation, groups), x, weight, bias), label);
            }
        }
    }

    @Test
    void conv1dGradientsMatchFiniteDifferences() {
        Random random = new Random(12);
        for (int trial = 0; trial < 8; trial++) {
            Generator generator = new Generator(200 + trial);
            int groups = 1 + random.nextInt(2);
            int groupChannels = trial % 3 == 0 ? 1 : 2;
            int outputs = groups * (1 + random.nextInt(2));
            int kernel = 1 + random.nextInt(4);
            int dilation = 1 + random.nextInt(2);
            boolean same = trial % 2 == 1;
            int stride = same ? 1 : 1 + random.nextInt(2);
            int padding = random.nextInt(3);
            int length = dilation * (kernel - 1) + 1 + random.nextInt(5);
            Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, generator, groups * groupChannels, 3, length).transpose(0, 1))
                    .requiresGrad(true);
            Tensor weight = Tensor.randn(DType.FLOAT64, generator, outputs, groupChannels, kernel).requiresGrad(true);
            Tensor bias = Tensor.randn(DType.FLOAT64, generator, outputs).requiresGrad(true);
            String label = "trial " + trial + ": x " + Arrays.toString(x.shape()) + ", w " + Arrays.toString(weight.shape())
                    + ", stride " + stride + (same ? ", same" : ", padding " + padding) + ", dilation " + dilation + ", groups " + groups;
            assertPasses(GradCheck.check(in -> same ? Convolutions.conv1d(in[0], in[1], in[2], stride, "same", dilation, groups)
                    : Convolutions.conv1d(in[0], in[1], in[2], stride, padding, dilation, groups), x, weight, bias), label);
        }
    }

    @Test
    void secondDerivativesMatchFiniteDifferences() {
        Generator generator = new Generator(5);
        Tensor x = transposedInput(generator, 2, 4, 5, 4);
        Tensor weight = Tensor.randn(DType.FLOAT64, generator, 4, 2, 2, 3).requiresGrad(true);
        Tensor bias = Tensor.randn(DType.FLOAT64, generator, 4).requiresGrad(true);
        // squared so the gradient depends on the inputs and the second derivative is not only zeros
        assertPasses(GradCheck.checkSecondOrder(in -> Convolutions.conv2d(in[0], in[1], in[2], new int[] {2, 1}, new int[] {1, 1},
                new int[] {1, 2}, 2).square(), x, weight, bias), "conv2d double backward");
        Tensor signal = Tensor.randn(DType.FLOAT64, generator, 2, 1, 7).requiresGrad(true);
        Tensor kernel = Tensor.randn(DType.FLOAT64, generator, 3, 1, 3).requiresGrad(true);
        assertPasses(GradCheck.checkSecondOrder(in -> Convolutions.conv1d(in[0], in[1], null, 1, "same", 1, 1).square(), signal, kernel),
                "conv1d double backward, one input channel");
    }

    @Test
    void weightGradientOverBandsThatDoNotDivideTheOutput() {
        // 64 channels x 3x3 x 40 columns of float64 is 184 KB per output row: 1 MiB bands of 5 rows over 12 output rows
        Generator generator = new Generator(9);
        Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, generator, 1, 64, 14, 42));
        Tensor weight = Tensor.randn(DType.FLOAT64, generator, 2, 64, 3, 3).mul(0.1).detach().requiresGrad(true);
        assertPasses(GradCheck.check(in -> Convolutions.conv2d(x, in[0], null), weight), "banded weight gradient");
    }
}
