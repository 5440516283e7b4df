package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.cuda.EmulatedGpu;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Convolutions on cuda:0, the emulated device ({@code EmulatedGpu}): a backend without
 * convolution kernels of its own runs the composed defaults, whose output and gradients equal the
 * CPU kernels' up to summation order, and everything stays on the device.
 */
@ExtendWith(EmulatedGpu.class)
class ConvolutionDeviceTest {
    private static final Device CUDA = Device.cuda(0);

    /** conv 1->4 (the direct kernel on the CPU), conv 4->6 with groups 2 and 'same' padding, conv1d over the flattened rows. */
    private static Sequential model(long seed) {
        Generator generator = new Generator(seed);
        return new Sequential(new Conv2d(1, 4, 3), new ReLU(),
                new Conv2d(4, 6, new int[] {3, 2}, new int[] {1, 1}, "same", new int[] {1, 2}, 2, true, generator),
                new Conv2d(6, 8, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1, false, generator));
    }

    @Test
    void forwardAndParameterGradientsOnTheDeviceEqualTheCpus() {
        Init.manualSeed(4);
        Sequential onCpu = model(4);
        Init.manualSeed(4);
        Sequential onDevice = model(4);
        onDevice.to(CUDA);
        NDArray x = NDArray.randn(DType.FLOAT32, new Generator(8), 5, 1, 12, 11);
        Tensor cpuOut = onCpu.forward(Tensor.of(x));
        Tensor deviceOut = onDevice.forward(Tensor.of(x.to(CUDA)));
        assertEquals(CUDA, deviceOut.device());
        assertClose(cpuOut.data(), deviceOut.data(), "output");
        cpuOut.square().sum().backward();
        deviceOut.square().sum().backward();
        List<Parameter> expected = onCpu.parameters();
        List<Parameter> actual = onDevice.parameters();
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(CUDA, actual.get(i).grad().device());
            assertClose(expected.get(i).grad().data(), actual.get(i).grad().data(), "gradient of parameter " + i);
        }

        Conv1d cpu1 = new Conv1d(3, 4, 3, 2, 1, 1, 1, true, new Generator(3));
        Conv1d device1 = new Conv1d(3, 4, 3, 2, 1, 1, 1, true, new Generator(3));
        device1.to(CUDA);
        NDArray signal = NDArray.randn(DType.FLOAT32, new Generator(9), 2, 3, 20);
        Tensor y1 = cpu1.forward(Tensor.of(signal));
        Tensor y2 = device1.forward(Tensor.of(signal.to(CUDA)));
        assertClose(y1.data(), y2.data(), "conv1d output");
        y1.sum().backward();
        y2.sum().backward();
        assertClose(cpu1.weight().grad().data(), device1.weight().grad().data(), "conv1d weight gradient");
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.to(Device.CPU).toFloatArray();
        assertEquals(e.length, a.length, what);
        double scale = 1;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-5 * scale, what + " element " + i);
        }
    }
}
