package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Losses;
import dev.descent.nn.Safetensors;
import dev.descent.nn.Sequential;
import dev.descent.optim.firstorder.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CNN of {@code descent mnist --model cnn} crosses to PyTorch through its safetensors file: a
 * briefly trained network's weights, as {@code weights.safetensors} of a run holds them, give the
 * same evaluation logits in PyTorch (computed there by {@code tools/safetensors_interop.py
 * descent-cnn-to-torch} and committed) as in Descent. Regenerate the fixtures with
 * {@code -Ddescent.fixtures.write=true}, then that script.
 */
class MnistCnnInteropTest {
    private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");
    private static final String WEIGHTS = "descent_cnn.safetensors";
    private static final String INPUT = "descent_cnn_input.json";
    private static final String TORCH_OUTPUT = "descent_cnn_torch_output.json";

    static final int TRAINING_IMAGES = 10;
    static final int EVALUATION_IMAGES = 4;
    static final int STEPS = 3;
    static final String FORMULA = "image n (n = 0, 1, ...), row r, column c: p = 0.5 + 0.5 sin(0.9 n + 0.23 r + 0.31 c + 0.017 r c),"
            + " x = (p - 0.1307) / 0.3081, in float64 then rounded to float32; training images n = 0..9 with labels n,"
            + " evaluation images n = 10..13";

    @TempDir
    Path directory;

    /** Images {@code first .. first + count - 1} of {@link #FORMULA}, [count, 1, 28, 28]. */
    static NDArray images(int first, int count) {
        double[] values = new double[count * 28 * 28];
        for (int n = 0; n < count; n++) {
            for (int r = 0; r < 28; r++) {
                for (int c = 0; c < 28; c++) {
                    double p = 0.5 + 0.5 * Math.sin(0.9 * (first + n) + 0.23 * r + 0.31 * c + 0.017 * r * c);
                    values[(n * 28 + r) * 28 + c] = (p - 0.1307) / 0.3081;
                }
            }
        }
        return NDArray.of(values, count, 1, 28, 28).astype(DType.FLOAT32);
    }

    /** The CNN from generators 5 and 6 after a few Adam steps (lr 1e-3, training mode, dropout on), then in eval mode. */
    static Sequential trainedCnn() {
        Sequential model = MnistCnn.create(new Generator(5), new Generator(6));
        model.train();
        Adam adam = new Adam(model.parameters(), Adam.options().lr(1e-3));
        int[] labels = new int[TRAINING_IMAGES];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        Tensor x = Tensor.of(images(0, TRAINING_IMAGES));
        Tensor y = Tensor.of(labels, TRAINING_IMAGES);
        for (int step = 0; step < STEPS; step++) {
            adam.zeroGrad();
            Losses.crossEntropy(model.forward(x), y).backward();
            adam.step();
        }
        model.eval();
        return model;
    }

    private static double[] logits(Sequential model) {
        return model.forward(Tensor.of(images(TRAINING_IMAGES, EVALUATION_IMAGES))).data().toDoubleArray();
    }

    @Test
    void theCnnsWeightsGiveTheSameLogitsInPyTorch() throws IOException {
        Sequential model = trainedCnn();
        Path written = directory.resolve(WEIGHTS);
        model.save(written);   // as MnistCommand writes a run's weights.safetensors
        NDArray input = images(TRAINING_IMAGES, EVALUATION_IMAGES);
        if (Boolean.getBoolean("descent.fixtures.write")) {
            Files.copy(written, FIXTURES.resolve(WEIGHTS), StandardCopyOption.REPLACE_EXISTING);
            ObjectNode description = new ObjectMapper().createObjectNode();
            description.put("formula", FORMULA);
            description.put("training_images", TRAINING_IMAGES);
            description.put("adam_steps", STEPS);
            description.put("first_evaluation_image", TRAINING_IMAGES);
            description.putArray("shape").add(EVALUATION_IMAGES).add(1).add(28).add(28);
            description.put("sum", sum(input.toDoubleArray(), false));
            description.put("sum_of_squares", sum(input.toDoubleArray(), true));
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(FIXTURES.resolve(INPUT).toFile(), description);
        }
        for (String fixture : new String[] {WEIGHTS, INPUT, TORCH_OUTPUT}) {
            if (!Files.exists(FIXTURES.resolve(fixture))) {
                fail("fixtures/" + fixture + " is missing: run this test with -Ddescent.fixtures.write=true, then"
                        + " /usr/bin/python3 tools/safetensors_interop.py descent-cnn-to-torch");
            }
        }
        // the committed description is of the input computed here (the Python side computes it from the same formula)
        JsonNode description = new ObjectMapper().readTree(FIXTURES.resolve(INPUT).toFile());
        assertEquals(FORMULA, description.get("formula").asText());
        assertEquals(sum(input.toDoubleArray(), false), description.get("sum").asDouble(), 1e-6);
        assertEquals(sum(input.toDoubleArray(), true), description.get("sum_of_squares").asDouble(), 1e-6);

        // The committed weights were written by Descent and read by PyTorch. Training again need not reproduce their
        // bits (kernels may sum in another order), so the comparison goes through the file.
        Map<String, NDArray> state = Safetensors.load(FIXTURES.resolve(WEIGHTS));
        assertEquals(STEPS, state.get("0.1.num_batches_tracked").toDoubleArray()[0], "batch norm saw the training steps");
        assertTrue(maxAbs(state.get("4.running_mean").toDoubleArray()) > 1e-3, "running means moved from 0");
        Sequential reloaded = MnistCnn.create(new Generator(0), new Generator(1));
        reloaded.load(FIXTURES.resolve(WEIGHTS));
        reloaded.eval();
        double[] descent = logits(reloaded);
        JsonNode torch = new ObjectMapper().readTree(FIXTURES.resolve(TORCH_OUTPUT).toFile());
        assertEquals(EVALUATION_IMAGES, torch.get("shape").get(0).asInt());
        assertEquals(10, torch.get("shape").get(1).asInt());
        double[] expected = new double[torch.get("data").size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = torch.get("data").get(i).asDouble();
        }
        assertEquals(expected.length, descent.length, "logits");
        assertTrue(maxAbs(expected) > 0.1, "PyTorch's logits are not all near zero");
        double largest = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(descent[i] - expected[i]));
        }
        assertTrue(largest <= 1e-5, "Descent's eval logits differ from PyTorch's by up to " + largest + " (tolerance 1e-5;"
                + " after -Ddescent.fixtures.write=true, run /usr/bin/python3 tools/safetensors_interop.py descent-cnn-to-torch)");

        // and what Descent writes today reads back bit for bit
        Map<String, NDArray> own = model.stateDict();
        Map<String, NDArray> readBack = Safetensors.load(written);
        assertEquals(own.keySet(), readBack.keySet(), "save then load: names");
        own.forEach((name, array) -> {
            assertEquals(array.dtype(), readBack.get(name).dtype(), "save then load: " + name);
            assertArrayEquals(array.shape(), readBack.get(name).shape(), "save then load: " + name);
            assertArrayEquals(array.toDoubleArray(), readBack.get(name).toDoubleArray(), "save then load: " + name);
        });
    }

    private static double sum(double[] values, boolean squares) {
        double total = 0;
        for (double v : values) {
            total += squares ? v * v : v;
        }
        return total;
    }

    private static double maxAbs(double[] values) {
        double largest = 0;
        for (double v : values) {
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }
}
