package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Losses;
import dev.descent.nn.Sequential;
import dev.descent.optim.secondorder.HessianAnalysis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossLandscapeStudyTest {
    @TempDir
    Path directory;

    @Test
    void theStudyDrawsTheLineThePlaneAndTheHessianOfBothNetworks() throws IOException {
        Path out = directory.resolve("study");
        CommandRun run = CommandRun.of("study", "landscape", "--limit", "1000", "--epochs", "1", "--grid", "3", "--batches", "1", "--lanczos",
                "4", "--threads", "2", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode networks = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("networks");
        assertEquals(2, networks.size());
        for (JsonNode network : networks) {
            assertEquals(41, network.get("interpolation").size());
            assertEquals(3, network.get("plane").size());
            // the plane's centre is the trained network: the line's alpha = 1 (index 30) on the same batch
            assertEquals(network.get("interpolation").get(30).asDouble(), network.get("plane").get(1).get(1).asDouble(), 1e-5);
            assertEquals(4, network.get("ritzValues").size());
        }
        assertEquals(3, Files.readString(out.resolve("report.html")).split("<svg", -1).length - 1, "the line and two planes");
    }

    @Test
    void lanczosFindsTheTopEigenvalueOfTheDenseHessianOfASmallModel() {
        Sequential model = MnistModels.named("pooled-linear").create(new Generator(3), new Generator(4));
        Generator data = new Generator(5);
        Tensor images = Tensor.of(NDArray.randn(data, 64, 1, 28, 28));
        Tensor labels = Tensor.of(NDArray.of(java.util.stream.IntStream.range(0, 64).map(i -> i % 10).toArray(), 64));
        model.eval();
        double[] dense = HessianAnalysis.dense(model.parameters(), () -> Losses.crossEntropy(model.forward(images), labels)).eigenvalues();
        double top = java.util.Arrays.stream(dense).max().orElseThrow();
        double[] ritz = LossLandscapeStudy.lanczos(model, new Tensor[] {images, labels}, 80, 0);
        assertEquals(top, ritz[ritz.length - 1], 1e-6 * Math.abs(top), "dense " + top);
    }

    @Test
    void filterNormalizedDirectionsMatchEachRowsNormAndLeaveVectorsOut() {
        NDArray weights = NDArray.randn(DType.FLOAT64, new Generator(1), 5, 7);
        NDArray bias = NDArray.randn(DType.FLOAT64, new Generator(2), 5);
        Map<String, NDArray> directions = LossLandscapeStudy.directions(Map.of("w", weights, "b", bias), new Generator(3));
        for (int row = 0; row < 5; row++) {
            assertEquals(norm(weights.select(0, row)), norm(directions.get("w").select(0, row)), 1e-12, "row " + row);
        }
        assertEquals(0, norm(directions.get("b")), 0);
    }

    private static double norm(NDArray array) {
        return Math.sqrt(java.util.Arrays.stream(array.toDoubleArray()).map(v -> v * v).sum());
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws IOException {
        assertTrue(refused("--grid", "2").contains("--grid 2 gives no surface"));
        assertTrue(refused("--limit", "1000", "--batches", "2").contains("--batches 2 of 1,000 images is more than the training set (1000"));
        Path run = directory.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.json"), "{\"model\": \"pooled-linear\", \"seed\": \"0\"}");
        MnistModels.named("linear").create(new Generator(0), new Generator(1)).save(run.resolve("weights.safetensors"));
        assertTrue(refused("--weights", run.resolve("weights.safetensors").toString(), "--limit", "1000", "--batches", "1")
                .contains("does not match the model its config.json describes"));
    }

    private String refused(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "study";
        all[1] = "landscape";
        System.arraycopy(args, 0, all, 2, args.length);
        CommandRun run = CommandRun.of(all);
        assertEquals(2, run.code(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        return run.err();
    }
}
