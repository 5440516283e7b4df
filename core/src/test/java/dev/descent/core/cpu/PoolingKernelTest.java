package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.FusedKernels;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels;
import dev.descent.core.PoolingKernels.Window;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The CPU's pooling kernels and its spatial batch-norm kernels agree with the composed defaults of
 * {@link PoolingKernels} and {@link FusedKernels} (which run on the CPU's primitives) on random
 * geometries, in float32 and float64, on transposed and sliced inputs.
 */
class PoolingKernelTest {
    private static final PoolingKernels CPU = new CpuBackend().pooling();
    private static final PoolingKernels COMPOSED = PoolingKernels.COMPOSED;
    private final Generator g = new Generator(23);

    private int draw(int from, int to) {
        return from + (int) Math.floor(NDArray.rand(DType.FLOAT64, g, 1).item() * (to - from + 1));
    }

    /** A random [n, c, h, w] array as a non-contiguous view: transposed, or sliced from a larger one. */
    private NDArray view(DType dtype, int n, int c, int h, int w, boolean transposed) {
        if (transposed) {
            return NDArray.randn(dtype, g, n, c, w, h).transpose(2, 3);
        }
        return NDArray.randn(dtype, g, n, c + 1, h, 2 * w).narrow(1, 1, c).slice(3, 0, 2 * w, 2);
    }

    private static int outputSize(int in, int kernel, int pad, int stride, int dilation, boolean ceilMode) {
        int span = in + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        int out = Math.floorDiv(span, stride) + 1;
        if (ceilMode && out > 0 && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    private static boolean everyWindowCovers(int in, int out, int stride, int pad, int kernel, int dilation) {
        for (int i = 0; i < out; i++) {
            boolean covers = false;
            for (int a = 0; a < kernel; a++) {
                int at = i * stride - pad + a * dilation;
                covers |= at >= 0 && at < in;
            }
            if (!covers) {
                return false;
            }
        }
        return true;
    }

    /** Max pools x with the composed and the CPU kernels, asserts the same maxima (NaN included) and argmax, and returns the argmax. */
    private static NDArray assertMaxPoolMatches(NDArray x, Window w, int[] outShape, String what) {
        NDArray expected = NDArray.empty(x.dtype(), outShape, x.device());
        NDArray expectedIndices = NDArray.empty(DType.INT32, outShape, x.device());
        COMPOSED.maxPool2d(x, w, expected, expectedIndices);
        NDArray actual = NDArray.empty(x.dtype(), outShape, x.device());
        NDArray actualIndices = NDArray.empty(DType.INT32, outShape, x.device());
        CPU.maxPool2d(x, w, actual, actualIndices);
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0, what + " max");
        assertArrayEquals(expectedIndices.toIntArray(), actualIndices.toIntArray(), what + " argmax");
        return expectedIndices;
    }

    private static void assertClose(NDArray expected, NDArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertTrue(actual.allClose(expected, tolerance, tolerance), what + "\nexpected " + expected + "\nactual " + actual);
    }

    /** The 2 x 2, stride 2 window has a loop of its own: values and argmax as the composed kernels', ties, NaN and -inf included. */
    @Test
    void twoByTwoMaxPoolingMatchesTheComposedKernels() {
        Window w = Window.of(2, 2, 0);
        for (int trial = 0; trial < 24; trial++) {
            DType dtype = trial % 3 == 0 ? DType.FLOAT64 : DType.FLOAT32;
            int n = draw(1, 3);
            int c = draw(1, 4);
            int h = draw(2, 11);
            int width = draw(2, 11);
            // contiguous, rows of a wider array (unit column stride, longer rows), and transposed (the general loop)
            NDArray x = switch (trial % 3) {
                case 0 -> NDArray.randn(dtype, g, n, c, h, width);
                case 1 -> NDArray.randn(dtype, g, n, c, h, width + 3).narrow(3, 1, width);
                default -> view(dtype, n, c, h, width, true);
            };
            if (trial % 4 == 1) {
                // clamped, so that many windows hold ties (at +-2), with a NaN and a -inf planted
                x = x.mul(2).clamp(-1, 1).mul(2).contiguous();
                x.set(Double.NaN, 0, 0, 0, 1);
                x.set(Double.NEGATIVE_INFINITY, n - 1, c - 1, h - 1, width - 1);
            }
            int[] outShape = {n, c, h / 2, width / 2};
            String what = "trial " + trial + " " + dtype + " input " + Arrays.toString(x.shape()) + " strides " + Arrays.toString(x.strides());
            assertMaxPoolMatches(x, w, outShape, what);
        }
    }

    @Test
    void poolingMatchesTheComposedKernelsOnRandomGeometries() {
        int checked = 0;
        for (int trial = 0; trial < 80; trial++) {
            DType dtype = trial % 2 == 0 ? DType.FLOAT64 : DType.FLOAT32;
            double tolerance = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
            int kh = draw(1, 4);
            int kw = draw(1, 4);
            Window w = new Window(kh, kw, draw(1, 3), draw(1, 3), draw(0, kh / 2), draw(0, kw / 2), draw(1, 2), draw(1, 2));
            boolean ceil = trial % 3 == 0;
            int n = draw(1, 3);
            int c = draw(1, 4);
            int h = draw(1, 12);
            int width = draw(1, 12);
            int oh = outputSize(h, kh, w.padH(), w.strideH(), w.dilationH(), ceil);
            int ow = outputSize(width, kw, w.padW(), w.strideW(), w.dilationW(), ceil);
            if (oh < 1 || ow < 1 || !everyWindowCovers(h, oh, w.strideH(), w.padH(), kh, w.dilationH())
                    || !everyWindowCovers(width, ow, w.strideW(), w.padW(), kw, w.dilationW())) {
                continue;   // outside the kernels' contract: a window of padding only
            }
            checked++;
            String what = "trial " + trial + " " + dtype + " " + w + " ceil " + ceil + " input " + Arrays.toString(new int[] {n, c, h, width});
            NDArray x = view(dtype, n, c, h, width, trial % 4 < 2);
            int[] outShape = {n, c, oh, ow};
            NDArray grad = view(dtype, n, c, oh, ow, trial % 4 >= 2);

            NDArray indices = assertMaxPoolMatches(x, w, outShape, what);
            NDArray expectedGrad = NDArray.empty(dtype, x.shape(), x.device());
            COMPOSED.maxPool2dBackward(grad, indices, expectedGrad);
            NDArray actualGrad = NDArray.empty(dtype, x.shape(), x.device());
            CPU.maxPool2dBackward(grad, indices, actualGrad);
            assertClose(expectedGrad, actualGrad, tolerance, what + " max backward");

            if (w.dilationH() == 1 && w.dilationW() == 1) {
                NDArray expected = NDArray.empty(dtype, outShape, x.device());
                NDArray actual = NDArray.empty(dtype, outShape, x.device());
                for (boolean include : new boolean[] {true, false}) {
                    COMPOSED.avgPool2d(x, w, include, expected);
                    CPU.avgPool2d(x, w, include, actual);
                    assertClose(expected, actual, tolerance, what + " avg, countIncludePad " + include);
                    COMPOSED.avgPool2dBackward(grad, w, include, expectedGrad);
                    CPU.avgPool2dBackward(grad, w, include, actualGrad);
                    assertClose(expectedGrad, actualGrad, tolerance, what + " avg backward, countIncludePad " + include);
                }
            }

            int[] adaptiveShape = {n, c, draw(1, h + 2), draw(1, width + 2)};
            NDArray adaptive = NDArray.empty(dtype, adaptiveShape, x.device());
            NDArray adaptiveExpected = NDArray.empty(dtype, adaptiveShape, x.device());
            COMPOSED.adaptiveAvgPool2d(x, adaptiveExpected);
            CPU.adaptiveAvgPool2d(x, adaptive);
            assertClose(adaptiveExpected, adaptive, tolerance, what + " adaptive to " + Arrays.toString(adaptiveShape));
            NDArray adaptiveGrad = view(dtype, n, c, adaptiveShape[2], adaptiveShape[3], trial % 2 == 0);
            COMPOSED.adaptiveAvgPool2dBackward(adaptiveGrad, expectedGrad);
            CPU.adaptiveAvgPool2dBackward(adaptiveGrad, actualGrad);
            assertClose(expectedGrad, actualGrad, tolerance, what + " adaptive backward");
        }
        assertTrue(checked > 40, "too few valid geometries drawn: " + checked);
    }

    @Test
    void spatialBatchNormMatchesTheComposedKernels() {
        FusedKernels fused = new CpuBackend().fused();
        // L below one chunk, not a multiple of it, and long enough to fold the float32 partials several times
        int[][] shapes = {{4, 3, 5}, {2, 5, 67}, {3, 2, 64 * 32 * 2 + 13}, {1, 7, 1}, {16, 33, 49}};
        for (int[] shape : shapes) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (boolean affine : new boolean[] {true, false}) {
                    String what = Arrays.toString(shape) + " " + dtype + (affine ? " affine" : "");
                    double tolerance = dtype == DType.FLOAT64 ? 1e-12 : 2e-5;
                    int channels = shape[1];
                    NDArray x = NDArray.randn(dtype, g, shape).mul(3).add(NDArray.randn(dtype, g, 1, channels, 1));
                    NDArray weight = affine ? NDArray.randn(dtype, g, channels) : null;
                    NDArray bias = affine ? NDArray.randn(dtype, g, channels) : null;
                    NDArray grad = NDArray.randn(dtype, g, shape);
                    BatchNormStatistics expected = new BatchNormStatistics(NDArray.zeros(dtype, channels), NDArray.zeros(dtype, channels));
                    BatchNormStatistics actual = new BatchNormStatistics(NDArray.zeros(dtype, channels), NDArray.zeros(dtype, channels));
                    NDArray expectedOut = NDArray.zeros(dtype, shape);
                    NDArray actualOut = NDArray.zeros(dtype, shape);
                    FusedKernels.COMPOSED.spatialBatchNormForward(x, weight, bias, 1e-5, expectedOut, expected);
                    fused.spatialBatchNormForward(x, weight, bias, 1e-5, actualOut, actual);
                    assertClose(expectedOut, actualOut, tolerance, what + " output");
                    assertClose(expected.mean(), actual.mean(), tolerance, what + " mean");
                    assertClose(expected.invStd(), actual.invStd(), tolerance, what + " invStd");
                    BatchNormGradients expectedGrads = new BatchNormGradients(NDArray.zeros(dtype, shape),
                            affine ? NDArray.zeros(dtype, channels) : null, affine ? NDArray.zeros(dtype, channels) : null);
                    BatchNormGradients actualGrads = new BatchNormGradients(NDArray.zeros(dtype, shape),
                            affine ? NDArray.zeros(dtype, channels) : null, affine ? NDArray.zeros(dtype, channels) : null);
                    FusedKernels.COMPOSED.spatialBatchNormBackward(grad, x, weight, expected, expectedGrads);
                    fused.spatialBatchNormBackward(grad, x, weight, actual, actualGrads);
                    // the input gradient is a difference of similar terms: compare relative to its largest element
                    double scale = expectedGrads.input().abs().max().item();
                    assertTrue(actualGrads.input().sub(expectedGrads.input()).abs().max().item() <= tolerance * Math.max(1, scale) * 10,
                            what + " input gradient");
                    if (affine) {
                        double sumScale = Math.max(1, expectedGrads.weight().abs().max().item());
                        assertTrue(actualGrads.weight().allClose(expectedGrads.weight(), tolerance, tolerance * sumScale), what + " dweight");
                        assertTrue(actualGrads.bias().allClose(expectedGrads.bias(), tolerance, tolerance * sumScale * 10), what + " dbias");
                    }
                }
            }
        }
    }
}
