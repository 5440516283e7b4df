package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptimizerCheckpointTest {
    @TempDir
    Path directory;

    @Test
    void everyValueTypeAndDtypeReadsBackExactly() throws IOException {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", 0.1 + 0.2);   // not a short decimal: only an exact round trip keeps it
        group.put("historySize", 10);
        group.put("maxIter", 10.0);
        group.put("amsgrad", true);
        group.put("betas", new double[] {0.9, -0.0});
        group.put("lineSearch", "strong_wolfe");
        group.put("maxEval", Double.POSITIVE_INFINITY);
        group.put("tolerance", Double.NaN);
        group.put("floor", Double.MIN_VALUE);
        group.put("params", List.of(0, 1, 2));
        Map<Integer, Map<String, NDArray>> state = new LinkedHashMap<>();
        Map<String, NDArray> first = new LinkedHashMap<>();
        first.put("step", NDArray.scalar(DType.FLOAT64, 7));
        first.put("exp_avg", NDArray.randn(new Generator(1), 3, 2));
        first.put("exp.with.dots", NDArray.randn(DType.FLOAT64, new Generator(2), 4));
        state.put(0, first);
        state.put(1, new LinkedHashMap<>());    // SGD without momentum keeps an empty state
        state.put(2, Map.of("counts", NDArray.of(new int[] {3, -1, 2})));
        OptimizerCheckpoint.save(new OptimizerState(List.of(group), state), directory);

        OptimizerState read = OptimizerCheckpoint.read(directory);
        Map<String, Object> back = read.paramGroups().get(0);
        assertEquals(List.copyOf(group.keySet()), List.copyOf(back.keySet()));
        for (String key : group.keySet()) {
            Object expected = group.get(key);
            Object actual = back.get(key);
            assertEquals(expected.getClass(), actual.getClass(), key + " keeps its Java type");
            if (expected instanceof double[] pair) {
                assertEquals(Double.doubleToRawLongBits(pair[1]), Double.doubleToRawLongBits(((double[]) actual)[1]), "-0.0 stays negative");
                assertArrayEquals(pair, (double[]) actual, 0);
            } else if (expected instanceof Double d) {
                assertEquals(Double.doubleToLongBits(d), Double.doubleToLongBits((Double) actual), key);
            } else {
                assertEquals(expected, actual, key);
            }
        }
        assertEquals(List.of(0, 1, 2), List.copyOf(read.state().keySet()));
        assertEquals(List.of("step", "exp_avg", "exp.with.dots"), List.copyOf(read.state().get(0).keySet()));
        assertTrue(read.state().get(1).isEmpty());
        for (int index : List.of(0, 2)) {
            for (Map.Entry<String, NDArray> entry : state.get(index).entrySet()) {
                NDArray actual = read.state().get(index).get(entry.getKey());
                NDArray expected = entry.getValue();
                assertEquals(expected.dtype(), actual.dtype(), entry.getKey());
                assertArrayEquals(expected.shape(), actual.shape(), entry.getKey());
                assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0, entry.getKey());
            }
        }
    }

    @Test
    void aValueOfAnotherTypeIsRefusedNamingItsGroupAndKey() {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", 1e-3);
        group.put("schedule", List.of(1, 2));
        group.put("params", List.of(0));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> OptimizerCheckpoint.save(new OptimizerState(List.of(group), Map.of()), directory));
        assertTrue(refused.getMessage().startsWith("OptimizerCheckpoint.save: hyperparameter 'schedule' of group 0 is a"), refused.getMessage());
    }

    @Test
    void aDamagedFileIsRefusedNamingTheFileAndTheProblem() throws IOException {
        Optimizer adam = trained("adam", 2);
        OptimizerCheckpoint.save(adam.stateDict(), directory);
        Path groups = directory.resolve(OptimizerCheckpoint.GROUPS);
        Files.writeString(groups, Files.readString(groups).replace("{\n        \"boolean\" : false\n      }", "false"));
        IOException untagged = assertThrows(IOException.class, () -> OptimizerCheckpoint.read(directory));
        assertTrue(untagged.getMessage().startsWith("optimizer checkpoint " + groups + " is corrupt: hyperparameter '"), untagged.getMessage());
        OptimizerCheckpoint.save(adam.stateDict(), directory);
        Files.writeString(groups, Files.readString(groups).replace("\"exp_avg_sq\", ", ""));
        IOException unlisted = assertThrows(IOException.class, () -> OptimizerCheckpoint.read(directory));
        assertTrue(unlisted.getMessage().contains("exp_avg_sq") && unlisted.getMessage().contains("does not list"), unlisted.getMessage());
    }

    /** Two parameters of different dtypes, pulled towards fixed targets. */
    private static List<Tensor> parameters() {
        return List.of(Tensor.of(NDArray.randn(new Generator(5), 3, 4)).requiresGrad(true),
                Tensor.of(NDArray.randn(DType.FLOAT64, new Generator(6), 5)).requiresGrad(true));
    }

    private static void steps(Optimizer optimizer, int count) {
        List<Tensor> params = new ArrayList<>();
        optimizer.paramGroups().forEach(g -> params.addAll(g.params()));
        for (int i = 0; i < count; i++) {
            optimizer.step(() -> {
                optimizer.zeroGrad();
                Tensor loss = params.get(0).mul(1.5).sub(0.25).square().sum().add(params.get(1).sub(-0.5).pow(4).sum().astype(DType.FLOAT32));
                loss.backward();
                return loss;
            });
        }
    }

    private static Optimizer trained(String spec, int count) {
        Optimizer optimizer = Optimizers.create(spec, parameters());
        steps(optimizer, count);
        return optimizer;
    }

    @Test
    void aRestoredOptimizerTakesTheStepsOfOneThatNeverStopped() throws IOException {
        for (String spec : List.of("adam", "adamw:amsgrad=true", "sgd:lr=0.05,momentum=0.9,nesterov=true", "nadam", "radam", "adamax",
                "adagrad", "adadelta", "rmsprop:centered=true,momentum=0.5")) {
            Optimizer uninterrupted = trained(spec, 6);
            Optimizer first = trained(spec, 3);
            Path saved = directory.resolve(spec.replace(':', '_'));
            Files.createDirectories(saved);
            OptimizerCheckpoint.save(first.stateDict(), saved);
            Optimizer resumed = Optimizers.create(spec, List.of(Tensor.of(first.paramGroups().get(0).params().get(0).data().copy()).requiresGrad(true),
                    Tensor.of(first.paramGroups().get(0).params().get(1).data().copy()).requiresGrad(true)));
            OptimizerCheckpoint.load(saved, resumed);
            steps(resumed, 3);
            for (int p = 0; p < 2; p++) {
                NDArray expected = uninterrupted.paramGroups().get(0).params().get(p).data();
                NDArray actual = resumed.paramGroups().get(0).params().get(p).data();
                assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0, spec + ": parameter " + p);
            }
        }
    }
}
