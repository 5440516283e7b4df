package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.cuda.EmulatedGpu;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Parameter;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pipeline stages on different devices, on the emulated GPU (the CUDA device's memory rules, the
 * CPU's kernels): the stages' parameters and gradients live on their devices, activations and
 * gradients cross at the boundaries, and the result equals the whole model on the CPU bit for bit.
 */
@ExtendWith(EmulatedGpu.class)
class PipelineOnDevicesTest {
    private static final Device CUDA = Device.cuda(0);

    private static Sequential model() {
        Generator generator = new Generator(9);
        return new Sequential(new Linear(6, 10, true, DType.FLOAT64, generator), new Tanh(),
                new Linear(10, 10, true, DType.FLOAT64, generator), new Tanh(), new Linear(10, 3, true, DType.FLOAT64, generator));
    }

    @Test
    void stagesOnTheGpuAndTheCpuGiveTheWholeModelsGradientsOnTheCpu() {
        Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, new Generator(4), 12, 6));
        Tensor y = Tensor.of(NDArray.of(java.util.stream.IntStream.range(0, 12).map(i -> i % 3).toArray(), 12));
        Sequential reference = model();
        Tensor whole = Losses.crossEntropy(reference.forward(x), y);
        whole.backward();
        Sequential split = model();
        try (Pipeline pipeline = new Pipeline(split, List.of(CUDA, Device.CPU), 2)) {
            assertEquals(List.of(CUDA, Device.CPU), pipeline.devices());
            double loss = pipeline.step(x, y, 4, Losses::crossEntropy);
            assertEquals(whole.item(), loss, 1e-12);
        }
        List<Parameter> expected = reference.parameters();
        List<Parameter> actual = split.parameters();
        for (int i = 0; i < expected.size(); i++) {
            Device where = i < 2 ? CUDA : Device.CPU;
            assertEquals(where, actual.get(i).device(), "parameter " + i);
            assertEquals(where, actual.get(i).grad().device(), "gradient " + i);
            assertArrayEquals(expected.get(i).grad().data().toDoubleArray(), actual.get(i).grad().data().to(Device.CPU).toDoubleArray(),
                    1e-12, "gradient " + i);
        }
    }

    @Test
    void oneDevicePerStageIsRequired() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new Pipeline(model(), List.of(CUDA), 2, 4));
        assertTrue(refused.getMessage().contains("1 devices [cuda:0] for 3 stages; expected one device per stage"), refused.getMessage());
    }
}
