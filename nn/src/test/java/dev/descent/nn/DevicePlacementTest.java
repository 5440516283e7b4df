package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.cuda.EmulatedGpu;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.TensorDataset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Modules, losses, dropout and data loading keep everything on the model's device. cuda:0 here
 * is the emulated device ({@code EmulatedGpu}): CPU kernels behind the CUDA device's rules, so a stray CPU array
 * fails as it would on a GPU, and results must equal the CPU's bit for bit.
 */
@ExtendWith(EmulatedGpu.class)
class DevicePlacementTest {
    private static final Device CUDA = Device.cuda(0);
    /** Linear, BatchNorm1d, ReLU, Dropout, Linear: every kind of state MLP-BN has. */
    private static Sequential model(long seed) {
        Generator generator = new Generator(seed);
        return new Sequential(new Linear(12, 16, true, generator), new BatchNorm1d(16), new ReLU(),
                new Dropout(0.25, new Generator(seed + 1)), new Linear(16, 5, true, generator));
    }

    @Test
    void toMovesEveryParameterAndBufferInPlaceKeepingTheObjects() {
        Sequential model = model(1);
        List<Parameter> before = model.parameters();
        NDArray weightBefore = before.get(0).data();
        assertSame(model, model.to(CUDA));
        List<Parameter> after = model.parameters();
        for (int i = 0; i < before.size(); i++) {
            assertSame(before.get(i), after.get(i));
            assertEquals(CUDA, after.get(i).device());
        }
        model.namedBuffers().forEach((name, buffer) -> assertEquals(CUDA, buffer.device(), name));
        assertEquals(CUDA, ((BatchNorm1d) model.namedChildren().get("1")).runningMean().device());
        assertArrayEquals(weightBefore.toFloatArray(), after.get(0).data().toFloatArray(), 0);
        model.to(Device.CPU);
        assertEquals(Device.CPU, model.parameters().get(0).device());
    }

    @Test
    void trainingStepsOnTheDeviceEqualTheCpusBitForBit() {
        Sequential onCpu = model(7);
        Sequential onDevice = model(7);
        onDevice.to(CUDA);
        Generator data = new Generator(3);
        for (int step = 0; step < 3; step++) {
            NDArray x = NDArray.randn(data, 8, 12);
            NDArray labels = NDArray.of(new int[] {0, 1, 2, 3, 4, 0, 1, 2});
            Tensor cpuLoss = Losses.crossEntropy(onCpu.forward(Tensor.of(x)), Tensor.of(labels));
            Tensor deviceLoss = Losses.crossEntropy(onDevice.forward(Tensor.of(x.to(CUDA))), Tensor.of(labels.to(CUDA)));
            assertEquals(CUDA, deviceLoss.device());
            assertEquals(cpuLoss.item(), deviceLoss.item(), 0);
            cpuLoss.backward();
            deviceLoss.backward();
            onDevice.parameters().forEach(p -> assertEquals(CUDA, p.grad().device()));
            // the fused whole-array norm (gradient clipping, the report's gradient norm) answers on the device too
            assertEquals(CUDA, onDevice.parameters().get(0).grad().data().norm(2).device());
            sgdStep(onCpu);
            sgdStep(onDevice);
        }
        List<Parameter> expected = onCpu.parameters();
        List<Parameter> actual = onDevice.parameters();
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).data().toFloatArray(), actual.get(i).data().toFloatArray(), 0, "parameter " + i);
        }
        BatchNorm1d cpuNorm = (BatchNorm1d) onCpu.namedChildren().get("1");
        BatchNorm1d deviceNorm = (BatchNorm1d) onDevice.namedChildren().get("1");
        assertArrayEquals(cpuNorm.runningVar().toFloatArray(), deviceNorm.runningVar().toFloatArray(), 0);
        onCpu.eval();
        onDevice.eval();
        NDArray x = NDArray.randn(data, 4, 12);
        assertArrayEquals(onCpu.forward(Tensor.of(x)).data().toFloatArray(),
                onDevice.forward(Tensor.of(x.to(CUDA))).data().toFloatArray(), 0);
    }

    private static void sgdStep(Module model) {
        for (Parameter p : model.parameters()) {
            p.data().subi(p.grad().data().mul(0.1));
            p.zeroGrad();
        }
    }

    @Test
    void aCpuInputToADeviceModelIsRefusedNamingBothDevices() {
        Module model = model(2).to(CUDA);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Tensor.of(NDArray.zeros(2, 12))));
        assertTrue(e.getMessage().contains("cpu") && e.getMessage().contains("cuda:0"), e.getMessage());
    }

    @Test
    void aDatasetStagedOnTheDeviceYieldsBatchesGatheredThere() {
        NDArray inputs = NDArray.arange(0, 20, 1).reshape(10, 2).astype(DType.FLOAT32);
        NDArray labels = NDArray.arange(10).astype(DType.INT32);
        TensorDataset staged = new TensorDataset(inputs, labels).to(CUDA);
        List<Float> seen = new ArrayList<>();
        for (Batch batch : new DataLoader(staged, 4).shuffle(new Generator(5))) {
            assertEquals(CUDA, batch.input().device());
            assertEquals(CUDA, batch.target().device());
            float[] x = batch.input().data().toFloatArray();
            int[] y = batch.target().data().toIntArray();
            for (int i = 0; i < y.length; i++) {
                assertEquals(2 * y[i], x[2 * i], 0);
                seen.add(x[2 * i]);
            }
        }
        assertEquals(10, seen.size());
        assertSame(staged, staged.to(CUDA));
    }

    @Test
    void aTargetOutOfRangeOnTheDeviceIsReportedAtTheNextReadNamingTheLoss() {
        NDArray logits = NDArray.randn(new Generator(8), 4, 3).to(CUDA);
        NDArray targets = NDArray.of(new int[] {0, 3, 1, -100}).to(CUDA);   // 3 is out of range; -100 is the ignore index
        Tensor loss = Losses.crossEntropy(Tensor.of(logits), Tensor.of(targets));
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, loss::item);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("crossEntropy: 1 target(s) on cuda:0 out of range for 3 classes"),
                e.getMessage());
        Tensor valid = Losses.crossEntropy(Tensor.of(logits), Tensor.of(NDArray.of(new int[] {0, 2, 1, -100}).to(CUDA)));
        assertEquals(Losses.crossEntropy(Tensor.of(logits.to(Device.CPU)), Tensor.of(NDArray.of(new int[] {0, 2, 1, -100}))).item(),
                valid.item(), 0);
    }
}
