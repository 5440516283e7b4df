package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Parameter;
import dev.descent.nn.Sequential;
import dev.descent.nn.Tanh;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private static Sequential model(int width) {
        Generator generator = new Generator(5);
        return new Sequential(new Linear(6, width, true, DType.FLOAT64, generator), new Tanh(), new Linear(width, width, true, DType.FLOAT64, generator),
                new Tanh(), new Linear(width, 4, true, DType.FLOAT64, generator));
    }

    private static List<double[]> gradients(Sequential model) {
        List<double[]> grads = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            grads.add(p.grad().data().toDoubleArray());
        }
        return grads;
    }

    @Test
    void microBatchesThroughThreeStagesGiveTheWholeBatchsLossAndGradients() {
        Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, new Generator(6), 24, 6));
        Tensor y = Tensor.of(NDArray.of(java.util.stream.IntStream.range(0, 24).map(i -> i % 4).toArray(), 24));
        Sequential model = model(16);
        Tensor whole = Losses.crossEntropy(model.forward(x), y);
        whole.backward();
        List<double[]> expected = gradients(model);
        model.zeroGrad();
        try (Pipeline pipeline = new Pipeline(model, 2, 4)) {
            assertEquals(3, pipeline.stageCount());
            for (int microBatches : new int[] {1, 4, 6}) {
                model.zeroGrad();
                double loss = pipeline.step(x, y, microBatches, Losses::crossEntropy);
                assertEquals(whole.item(), loss, 1e-12, microBatches + " micro-batches");
                List<double[]> actual = gradients(model);
                for (int i = 0; i < expected.size(); i++) {
                    assertArrayEquals(expected.get(i), actual.get(i), 1e-12, "parameter " + i + ", " + microBatches + " micro-batches");
                }
            }
        }
    }

    @Test
    void theStagesWorkOnDifferentMicroBatchesAtTheSameTime() {
        Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, new Generator(7), 1024, 6));
        Tensor y = Tensor.of(NDArray.of(java.util.stream.IntStream.range(0, 1024).map(i -> i % 4).toArray(), 1024));
        try (Pipeline pipeline = new Pipeline(model(256), 2, 4)) {
            pipeline.step(x, y, 8, Losses::crossEntropy);
            assertTrue(pipeline.overlapped(), "a later stage began before the earlier one had finished every micro-batch");
        }
    }

    @Test
    void badSplitsAndMicroBatchCountsAreRefused() {
        IllegalArgumentException split = assertThrows(IllegalArgumentException.class, () -> new Pipeline(model(4), 2, 2));
        assertTrue(split.getMessage().contains("must increase strictly within the model's 5 modules"), split.getMessage());
        try (Pipeline pipeline = new Pipeline(model(4), 3)) {
            IllegalArgumentException micro = assertThrows(IllegalArgumentException.class,
                    () -> pipeline.step(Tensor.zeros(10, 6).astype(DType.FLOAT64), Tensor.of(NDArray.of(new int[10], 10)), 3, Losses::crossEntropy));
            assertTrue(micro.getMessage().contains("3 micro-batches must divide the batch of 10 evenly"), micro.getMessage());
        }
    }
}
