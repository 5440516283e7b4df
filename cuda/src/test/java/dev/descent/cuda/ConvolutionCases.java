package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backend;
import dev.descent.core.ConvolutionKernels;
import dev.descent.core.ConvolutionKernels.Geometry;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels.Window;
import dev.descent.core.cpu.CpuBackend;
import java.util.Random;
import java.util.function.Function;

/**
 * Random convolution, pooling and spatial batch norm problems run by the CPU backend and by a
 * device's kernels on the same values, compared element by element: within {@code rtol} relative
 * to max(1, |expected|), or bit for bit when {@code rtol} is 0 (the emulated device runs the CPU's
 * kernels). Shared by the GPU-only {@link CudaConvolutionTest} and the real-or-emulated
 * {@link ConvolutionOnDeviceTest}.
 */
final class ConvolutionCases {
    static final Backend CPU = new CpuBackend();

    private ConvolutionCases() {
    }

    /** The same values on the CPU and on the device, both the same view (sometimes a transposed, non-contiguous one). */
    record Pair(NDArray cpu, NDArray device) {
    }

    static Pair pair(Random random, DType dtype, Device device, boolean mayBeStrided, double[] values, int... shape) {
        boolean strided = mayBeStrided && shape.length == 4 && random.nextBoolean();
        int[] stored = shape.clone();
        if (strided) {
            stored[2] = shape[3];
            stored[3] = shape[2];
        }
        NDArray base = NDArray.of(values, stored).astype(dtype);
        NDArray onDevice = base.to(device);
        return strided ? new Pair(base.transpose(2, 3), onDevice.transpose(2, 3)) : new Pair(base, onDevice);
    }

    static Pair pair(Random random, DType dtype, Device device, boolean mayBeStrided, int... shape) {
        return pair(random, dtype, device, mayBeStrided, uniform(random, size(shape), -1, 1), shape);
    }

    static double[] uniform(Random random, int n, double low, double high) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = low + (high - low) * random.nextDouble();
        }
        return v;
    }

    static int size(int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    static void assertClose(NDArray expected, NDArray actual, double rtol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double[] e = expected.toDoubleArray();
        double[] a = actual.to(Device.CPU).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean same = rtol == 0 ? Double.doubleToLongBits(e[i]) == Double.doubleToLongBits(a[i])
                    : (Double.isNaN(e[i]) && Double.isNaN(a[i])) || Math.abs(e[i] - a[i]) <= rtol * Math.max(1, Math.abs(e[i]));
            assertTrue(same, what + ": element " + i + " expected " + e[i] + " got " + a[i]);
        }
    }

    // ---------------------------------------------------------------- convolution

    /** A random geometry with oH, oW >= 1: strides 1-3, paddings 0-2 on each side chosen apart (so top and bottom differ), dilations 1-2, groups 1-3. */
    static void convolution(Random random, DType dtype, Device device, double rtol, Function<NDArray, ConvolutionKernels> kernels) {
        while (true) {
            int groups = 1 + random.nextInt(3);
            Geometry g = new Geometry(1 + random.nextInt(3), 1 + random.nextInt(3), random.nextInt(3), random.nextInt(3), random.nextInt(3),
                    random.nextInt(3), 1 + random.nextInt(2), 1 + random.nextInt(2), groups);
            int kh = 1 + random.nextInt(4);
            int kw = 1 + random.nextInt(4);
            int h = 1 + random.nextInt(9);
            int w = 1 + random.nextInt(9);
            if (g.outputHeight(h, kh) >= 1 && g.outputWidth(w, kw) >= 1) {
                convolution(random, dtype, device, rtol, kernels, 1 + random.nextInt(3), groups * (1 + random.nextInt(3)), h, w,
                        groups * (1 + random.nextInt(3)), kh, kw, g, random.nextBoolean());
                return;
            }
        }
    }

    /** Forward, weight gradient and input gradient of one problem on both backends, compared. */
    static void convolution(Random random, DType dtype, Device device, double rtol, Function<NDArray, ConvolutionKernels> kernels,
                            int n, int c, int h, int w, int o, int kh, int kw, Geometry g, boolean withBias) {
        String what = dtype + " x [" + n + ", " + c + ", " + h + ", " + w + "] w [" + o + ", " + c / g.groups() + ", " + kh + ", " + kw
                + "] " + g + (withBias ? " bias" : "");
        int oh = g.outputHeight(h, kh);
        int ow = g.outputWidth(w, kw);
        Pair x = pair(random, dtype, device, true, n, c, h, w);
        Pair weight = pair(random, dtype, device, true, o, c / g.groups(), kh, kw);
        Pair bias = withBias ? pair(random, dtype, device, false, o) : new Pair(null, null);
        Pair gy = pair(random, dtype, device, true, n, o, oh, ow);

        NDArray expected = NDArray.zeros(dtype, n, o, oh, ow);
        CPU.convolution().forward(x.cpu(), weight.cpu(), bias.cpu(), g, expected);
        NDArray actual = NDArray.empty(dtype, new int[] {n, o, oh, ow}, device);
        kernels.apply(actual).forward(x.device(), weight.device(), bias.device(), g, actual);
        assertClose(expected, actual, rtol, "forward " + what);

        NDArray expectedWeight = NDArray.zeros(dtype, o, c / g.groups(), kh, kw);
        CPU.convolution().backwardWeight(gy.cpu(), x.cpu(), g, expectedWeight);
        NDArray actualWeight = NDArray.empty(dtype, new int[] {o, c / g.groups(), kh, kw}, device).fill(7);
        kernels.apply(actualWeight).backwardWeight(gy.device(), x.device(), g, actualWeight);
        assertClose(expectedWeight, actualWeight, rtol, "backwardWeight " + what);

        NDArray expectedInput = NDArray.zeros(dtype, n, c, h, w);
        CPU.convolution().backwardInput(gy.cpu(), weight.cpu(), g, expectedInput);
        NDArray actualInput = NDArray.empty(dtype, new int[] {n, c, h, w}, device).fill(7);   // stale values must not survive
        kernels.apply(actualInput).backwardInput(gy.device(), weight.device(), g, actualInput);
        assertClose(expectedInput, actualInput, rtol, "backwardInput " + what);
    }

    // ---------------------------------------------------------------- pooling

    /** Output size of a pooling window over {@code size} positions, PyTorch's rule (ceil mode: the last window starts inside the input or left padding). */
    static int pooledSize(int size, int kernel, int stride, int pad, int dilation, boolean ceil) {
        int span = size + 2 * pad - dilation * (kernel - 1) - 1;
        if (span < 0) {
            return 0;
        }
        int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (out - 1) * stride >= size + pad) {
            out--;
        }
        return out;
    }

    /** Whether each of {@code out} windows has a tap inside the input (dilation may step over a small input). */
    static boolean everyWindowReachesTheInput(int size, int out, int kernel, int stride, int pad, int dilation) {
        for (int i = 0; i < out; i++) {
            boolean any = false;
            for (int a = 0; a < kernel; a++) {
                int at = i * stride - pad + a * dilation;
                any |= at >= 0 && at < size;
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /**
     * Max pooling forward (values and argmax exactly: no arithmetic) and backward on inputs of few
     * distinct values (ties) with a NaN now and then; average pooling forward and backward with and
     * without count_include_pad, floor or ceil mode.
     */
    static void pooling(Random random, DType dtype, Device device, double rtol) {
        int kh = 1 + random.nextInt(3);
        int kw = 1 + random.nextInt(3);
        boolean ceil = random.nextBoolean();
        boolean max = random.nextBoolean();
        int dh = max ? 1 + random.nextInt(2) : 1;
        int dw = max ? 1 + random.nextInt(2) : 1;
        Window w = new Window(kh, kw, 1 + random.nextInt(3), 1 + random.nextInt(3), random.nextInt(kh / 2 + 1), random.nextInt(kw / 2 + 1),
                dh, dw);
        int n = 1 + random.nextInt(3);
        int c = 1 + random.nextInt(3);
        int h = 1 + random.nextInt(9);
        int wd = 1 + random.nextInt(9);
        int oh = pooledSize(h, kh, w.strideH(), w.padH(), dh, ceil);
        int ow = pooledSize(wd, kw, w.strideW(), w.padW(), dw, ceil);
        if (oh < 1 || ow < 1 || !everyWindowReachesTheInput(h, oh, kh, w.strideH(), w.padH(), dh)
                || !everyWindowReachesTheInput(wd, ow, kw, w.strideW(), w.padW(), dw)) {
            return;   // outside PoolingKernels' contract
        }
        String what = dtype + " x [" + n + ", " + c + ", " + h + ", " + wd + "] -> [" + oh + ", " + ow + "] " + w + (ceil ? " ceil" : "");
        double[] values = new double[n * c * h * wd];
        for (int i = 0; i < values.length; i++) {
            values[i] = max ? random.nextInt(4) - 2 : random.nextDouble() * 2 - 1;
        }
        if (max && random.nextBoolean()) {
            values[random.nextInt(values.length)] = Double.NaN;
        }
        Pair x = pair(random, dtype, device, true, values, n, c, h, wd);
        Pair grad = pair(random, dtype, device, true, n, c, oh, ow);
        if (max) {
            NDArray expected = NDArray.zeros(dtype, n, c, oh, ow);
            NDArray expectedIndices = NDArray.zeros(DType.INT32, n, c, oh, ow);
            CPU.pooling().maxPool2d(x.cpu(), w, expected, expectedIndices);
            NDArray actual = NDArray.empty(dtype, new int[] {n, c, oh, ow}, device);
            NDArray actualIndices = NDArray.empty(DType.INT32, new int[] {n, c, oh, ow}, device);
            actual.backend().pooling().maxPool2d(x.device(), w, actual, actualIndices);
            assertClose(expected, actual, 0, "maxPool2d " + what);
            assertClose(expectedIndices, actualIndices, 0, "maxPool2d indices " + what);

            NDArray expectedInput = NDArray.zeros(dtype, n, c, h, wd);
            CPU.pooling().maxPool2dBackward(grad.cpu(), expectedIndices, expectedInput);
            NDArray actualInput = NDArray.empty(dtype, new int[] {n, c, h, wd}, device).fill(7);
            actualInput.backend().pooling().maxPool2dBackward(grad.device(), actualIndices, actualInput);
            assertClose(expectedInput, actualInput, rtol, "maxPool2dBackward " + what);
        } else {
            for (boolean countIncludePad : new boolean[] {false, true}) {
                String which = what + (countIncludePad ? " count_include_pad" : "");
                NDArray expected = NDArray.zeros(dtype, n, c, oh, ow);
                CPU.pooling().avgPool2d(x.cpu(), w, countIncludePad, expected);
                NDArray actual = NDArray.empty(dtype, new int[] {n, c, oh, ow}, device);
                actual.backend().pooling().avgPool2d(x.device(), w, countIncludePad, actual);
                assertClose(expected, actual, rtol, "avgPool2d " + which);

                NDArray expectedInput = NDArray.zeros(dtype, n, c, h, wd);
                CPU.pooling().avgPool2dBackward(grad.cpu(), w, countIncludePad, expectedInput);
                NDArray actualInput = NDArray.empty(dtype, new int[] {n, c, h, wd}, device).fill(7);
                actualInput.backend().pooling().avgPool2dBackward(grad.device(), w, countIncludePad, actualInput);
                assertClose(expectedInput, actualInput, rtol, "avgPool2dBackward " + which);
            }
        }
    }

    // ---------------------------------------------------------------- spatial batch norm

    /** Forward (output, mean, invStd) and backward (each gradient sometimes not asked for) of x [N, C, L], weight and bias sometimes null. */
    static void spatialBatchNorm(Random random, DType dtype, Device device, double rtol) {
        int n = 1 + random.nextInt(4);
        int c = 1 + random.nextInt(5);
        int l = 1 + random.nextInt(300);
        String what = dtype + " x [" + n + ", " + c + ", " + l + "]";
        Pair x = pair(random, dtype, device, false, uniform(random, n * c * l, -1.5, 2.5), n, c, l);
        Pair weight = random.nextBoolean() ? pair(random, dtype, device, false, c) : new Pair(null, null);
        Pair bias = random.nextBoolean() ? pair(random, dtype, device, false, c) : new Pair(null, null);
        Pair grad = pair(random, dtype, device, false, n, c, l);

        NDArray expected = NDArray.zeros(dtype, n, c, l);
        BatchNormStatistics expectedStatistics = new BatchNormStatistics(NDArray.zeros(dtype, c), NDArray.zeros(dtype, c));
        CPU.fused().spatialBatchNormForward(x.cpu(), weight.cpu(), bias.cpu(), 1e-5, expected, expectedStatistics);
        NDArray actual = NDArray.empty(dtype, new int[] {n, c, l}, device);
        BatchNormStatistics actualStatistics = new BatchNormStatistics(NDArray.empty(dtype, new int[] {c}, device),
                NDArray.empty(dtype, new int[] {c}, device));
        actual.backend().fused().spatialBatchNormForward(x.device(), weight.device(), bias.device(), 1e-5, actual, actualStatistics);
        assertClose(expectedStatistics.mean(), actualStatistics.mean(), rtol, "spatialBatchNormForward mean " + what);
        assertClose(expectedStatistics.invStd(), actualStatistics.invStd(), rtol, "spatialBatchNormForward invStd " + what);
        assertClose(expected, actual, rtol, "spatialBatchNormForward " + what);

        boolean input = random.nextInt(4) > 0;
        boolean weightGrad = random.nextBoolean();
        boolean biasGrad = random.nextBoolean();
        BatchNormGradients expectedGradients = new BatchNormGradients(input ? NDArray.zeros(dtype, n, c, l) : null,
                weightGrad ? NDArray.zeros(dtype, c) : null, biasGrad ? NDArray.zeros(dtype, c) : null);
        CPU.fused().spatialBatchNormBackward(grad.cpu(), x.cpu(), weight.cpu(), expectedStatistics, expectedGradients);
        BatchNormStatistics uploaded = new BatchNormStatistics(expectedStatistics.mean().to(device), expectedStatistics.invStd().to(device));
        BatchNormGradients actualGradients = new BatchNormGradients(input ? NDArray.empty(dtype, new int[] {n, c, l}, device) : null,
                weightGrad ? NDArray.empty(dtype, new int[] {c}, device) : null, biasGrad ? NDArray.empty(dtype, new int[] {c}, device) : null);
        x.device().backend().fused().spatialBatchNormBackward(grad.device(), x.device(), weight.device(), uploaded, actualGradients);
        if (input) {
            assertClose(expectedGradients.input(), actualGradients.input(), rtol, "spatialBatchNormBackward input " + what);
        }
        if (weightGrad) {
            assertClose(expectedGradients.weight(), actualGradients.weight(), rtol, "spatialBatchNormBackward weight " + what);
        }
        if (biasGrad) {
            assertClose(expectedGradients.bias(), actualGradients.bias(), rtol, "spatialBatchNormBackward bias " + what);
        }
    }
}
