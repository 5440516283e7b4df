package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights cross between Descent and PyTorch in both directions through safetensors files
 * (tools/safetensors_interop.py holds the PyTorch side and says how the fixtures were made).
 */
class InteropTest {
    private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");

    @TempDir
    Path directory;

    /** Linear(6, 8) -> BatchNorm1d(8) -> ReLU -> Linear(8, 3), the architecture on both sides. */
    static Sequential mlp(Generator g) {
        return new Sequential(new Linear(6, 8, true, g), new BatchNorm1d(8), new ReLU(), new Linear(8, 3, true, g));
    }

    /** x[i][j] = sin(6 i + j), as the Python script computes it. */
    static Tensor evaluationInput() {
        double[] values = new double[30];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 6; j++) {
                values[i * 6 + j] = Math.sin(6 * i + j);
            }
        }
        return Tensor.of(NDArray.of(values, 5, 6).astype(DType.FLOAT32));
    }

    private static NDArray expectedOutput(String resource) throws IOException {
        try (InputStream in = InteropTest.class.getResourceAsStream("/fixtures/" + resource)) {
            assertNotNull(in, resource + " is missing: see tools/safetensors_interop.py");
            JsonNode json = new ObjectMapper().readTree(in);
            return PyTorchFixtureTest.array(json, DType.FLOAT32);
        }
    }

    @Test
    void aPyTorchModelLoadsIntoDescentAndGivesTheSameOutputs() throws IOException {
        Sequential model = mlp(new Generator(0));
        model.load(FIXTURES.resolve("torch_mlp.safetensors"));
        model.eval();
        NDArray output = model.forward(evaluationInput()).data();
        PyTorchFixtureTest.assertMatches(expectedOutput("torch_mlp.json"), output, 1e-5, "PyTorch MLP in Descent");
    }

    /** A Descent model trained for three plain SGD steps from a fixed seed. */
    static Sequential trainedDescentModel() {
        Generator g = new Generator(2026);
        Sequential model = mlp(g);
        for (int step = 0; step < 3; step++) {
            model.zeroGrad();
            model.forward(Tensor.randn(g, 16, 6)).square().mean().backward();
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                model.parameters().forEach(p -> p.subi(p.grad().mul(0.1)));
            }
        }
        return model.eval() instanceof Sequential s ? s : null;
    }

    @Test
    void aDescentModelLoadsIntoPyTorchAndGivesTheSameOutputs() throws IOException {
        Sequential model = trainedDescentModel();
        Path written = directory.resolve("descent_mlp.safetensors");
        model.save(written);
        if (Boolean.getBoolean("descent.fixtures.write")) {
            Files.copy(written, FIXTURES.resolve("descent_mlp.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path committed = FIXTURES.resolve("descent_mlp.safetensors");
        if (!Files.exists(committed)) {
            fail("fixtures/descent_mlp.safetensors is missing: run this test with -Ddescent.fixtures.write=true, then"
                    + " tools/safetensors_interop.py descent-to-torch");
        }
        // The committed file was written by Descent and read by PyTorch (tools/safetensors_interop.py). Training the
        // model again need not reproduce its bits (the kernels may sum in another order), so compare through the file:
        // Descent's outputs with the committed weights must equal PyTorch's with the same file.
        Sequential reloaded = mlp(new Generator(0));
        reloaded.load(committed);
        reloaded.eval();
        NDArray output = reloaded.forward(evaluationInput()).data();
        PyTorchFixtureTest.assertMatches(expectedOutput("descent_mlp_torch_output.json"), output, 1e-5, "Descent MLP in PyTorch");
        // and what Descent writes today reads back to the same outputs
        Sequential roundTrip = mlp(new Generator(1));
        roundTrip.load(written);
        roundTrip.eval();
        PyTorchFixtureTest.assertMatches(model.forward(evaluationInput()).data(), roundTrip.forward(evaluationInput()).data(),
                0, "save then load");
    }
}
