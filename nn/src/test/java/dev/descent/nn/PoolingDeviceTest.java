package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Autograd;
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
 * Pooling, BatchNorm2d and Dropout2d on cuda:0, the emulated device ({@code EmulatedGpu}): a
 * backend without pooling or spatial batch-norm kernels of its own runs the composed defaults,
 * whose outputs, gradients and running statistics equal the CPU kernels' up to summation order,
 * and everything stays on the device.
 */
@ExtendWith(EmulatedGpu.class)
class PoolingDeviceTest {
    private static final Device CUDA = Device.cuda(0);

    private static Sequential model(DType dtype) {
        return new Sequential(new MaxPool2d(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 2}, true),
                new BatchNorm2d(3, 1e-5, 0.1, true, true, dtype), new AvgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, true, false),
                new Dropout2d(0.25, new Generator(5)), new AvgPool2d(2, 1), new AdaptiveAvgPool2d(2, 3));
    }

    @Test
    void trainingStepsAndEvaluationOnTheDeviceEqualTheCpus() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Sequential onCpu = model(dtype);
            Sequential onDevice = model(dtype);
            onDevice.to(CUDA);
            Generator data = new Generator(3);
            for (int step = 0; step < 3; step++) {
                // a transposed view, so that the kernels read strided inputs on both devices
                NDArray stored = NDArray.randn(dtype, data, 4, 3, 13, 12).mul(2);
                Tensor cpuInput = Tensor.of(stored.transpose(2, 3)).requiresGrad(true);
                Tensor deviceInput = Tensor.of(stored.to(CUDA).transpose(2, 3)).requiresGrad(true);
                Tensor cpuOut = onCpu.forward(cpuInput);
                Tensor deviceOut = onDevice.forward(deviceInput);
                assertEquals(CUDA, deviceOut.device());
                assertClose(cpuOut.data(), deviceOut.data(), dtype + " step " + step + " output");
                cpuOut.square().sum().backward();
                deviceOut.square().sum().backward();
                assertEquals(CUDA, deviceInput.grad().device());
                assertClose(cpuInput.grad().data(), deviceInput.grad().data(), dtype + " step " + step + " input gradient");
                List<Parameter> expected = onCpu.parameters();
                List<Parameter> actual = onDevice.parameters();
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(CUDA, actual.get(i).grad().device());
                    assertClose(expected.get(i).grad().data(), actual.get(i).grad().data(), dtype + " step " + step + " parameter " + i);
                }
                onCpu.zeroGrad();
                onDevice.zeroGrad();
            }
            BatchNorm2d cpuNorm = (BatchNorm2d) onCpu.namedChildren().get("1");
            BatchNorm2d deviceNorm = (BatchNorm2d) onDevice.namedChildren().get("1");
            assertEquals(CUDA, deviceNorm.runningMean().device());
            assertClose(cpuNorm.runningMean(), deviceNorm.runningMean(), dtype + " running_mean");
            assertClose(cpuNorm.runningVar(), deviceNorm.runningVar(), dtype + " running_var");
            assertEquals(3, deviceNorm.stateDict().get("num_batches_tracked").item(), 0);
            onCpu.eval();
            onDevice.eval();
            NDArray x = NDArray.randn(dtype, data, 2, 3, 9, 10);
            assertClose(onCpu.forward(Tensor.of(x)).data(), onDevice.forward(Tensor.of(x.to(CUDA))).data(), dtype + " evaluation");
        }
    }

    @Test
    void recordedBackwardsRunOnTheDevice() {
        // with createGraph the pooling backwards are Functions again (gather, the adjoint average): differentiate them on the device
        for (Module pool : new Module[] {new MaxPool2d(3, 2, 1), new AvgPool2d(3, 2, 1), new AdaptiveAvgPool2d(3, 2)}) {
            NDArray x = NDArray.randn(DType.FLOAT64, new Generator(4), 2, 2, 7, 6);
            double[][] results = new double[2][];
            int k = 0;
            for (Device device : new Device[] {Device.CPU, CUDA}) {
                Tensor input = Tensor.of(x.to(device)).requiresGrad(true);
                Tensor y = pool.forward(input.mul(input)).tanh().sum();
                Tensor grad = Autograd.grad(new Tensor[] {y}, new Tensor[] {input}, null, true, true)[0];
                grad.square().sum().backward();
                assertEquals(device, input.grad().device());
                results[k++] = input.grad().data().toDoubleArray();
            }
            assertArrayEquals(results[0], results[1], 1e-12, pool.toString());
        }
    }

    private static void assertClose(NDArray expected, NDArray actual, String what) {
        double[] e = expected.toDoubleArray();
        double[] a = actual.to(Device.CPU).toDoubleArray();
        assertEquals(e.length, a.length, what);
        double scale = 1;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tolerance = expected.dtype() == DType.FLOAT64 ? 1e-12 : 1e-5;
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance * scale, what + " element " + i);
        }
    }
}
