package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Sequential;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MnistModelsTest {
    @Test
    void theDefaultSpecIsMlpBnWeightForWeight() {
        Sequential fromSpec = MnistModels.named("mlp-bn").create(new Generator(3), new Generator(4));
        Sequential benchmark = MlpBn.create(new Generator(3), new Generator(4));
        Map<String, NDArray> expected = benchmark.stateDict();
        assertEquals(expected.keySet(), fromSpec.stateDict().keySet());
        expected.forEach((name, value) -> assertArrayEquals(value.toFloatArray(), fromSpec.stateDict().get(name).toFloatArray(), 0f, name));
        assertTrue(MnistModels.named("mlp-bn").describe().startsWith("MLP-BN (784-512-256-10, batch norm, dropout 0.2; 537,354 parameters)"));
    }

    @Test
    void theStatedParameterCountIsTheBuiltModelsForRandomShapes() {
        Generator random = new Generator(9);
        for (int trial = 0; trial < 12; trial++) {
            Integer width = random.nextInt(3) == 0 ? null : 1 + random.nextInt(100);
            int depth = random.nextInt(6);
            MnistModels.Spec spec = MnistModels.mlp(width, depth, random.nextInt(2) == 0, random.nextInt(2) * 0.3);
            assertEquals(depth, spec.hidden().size());
            assertEquals(spec.create(new Generator(0), new Generator(1)).parameterCount(), spec.parameterCount(), spec.toString());
        }
        for (String name : List.of("linear", "pooled-linear", "cnn")) {
            MnistModels.Spec spec = MnistModels.named(name);
            assertEquals(spec.create(new Generator(0), new Generator(1)).parameterCount(), spec.parameterCount(), name);
        }
        assertEquals(List.of(512, 256, 128, 64, 32, 32), MnistModels.mlp(null, 6, true, 0.2).hidden(), "MLP-BN's taper, down to 32");
    }

    @Test
    void aRunsConfigurationDescribesItsModel() {
        MnistModels.Spec spec = MnistModels.fromConfig(Map.of("model", "mlp-bn", "width", "64", "depth", "3", "no-batchnorm", "true",
                "dropout", "0"));
        assertEquals(new MnistModels.Spec("mlp-bn", List.of(64, 64, 64), false, 0), spec);
        assertEquals(new MnistModels.Spec("mlp-bn", List.of(512, 256, 128), true, 0.2, "sigmoid", true),
                MnistModels.fromConfig(Map.of("depth", "3", "activation", "sigmoid", "init", "he")));
        assertEquals(MnistModels.named("pooled-linear"), MnistModels.fromConfig(Map.of("model", "pooled-linear")));
        assertEquals(MnistModels.named("mlp-bn"), MnistModels.fromConfig(Map.of()));
    }
}
