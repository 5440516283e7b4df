package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.core.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descent command: usage errors, help, and an end-to-end training run on a slice of MNIST. */
class MainTest {
    @TempDir
    Path directory;

    @Test
    void badUsageIsOneClearLineAndExitCode2() {
        CommandRun epochs = CommandRun.of("mnist", "--epochs", "-1");
        assertEquals(2, epochs.code());
        assertEquals("descent: mnist: --epochs must be at least 1, got -1\n", epochs.err());
        CommandRun optimizer = CommandRun.of("mnist", "--optimizer", "adamm");
        assertEquals(2, optimizer.code());
        assertTrue(optimizer.err().startsWith("descent: mnist: --optimizer: optimizer: unknown name 'adamm'; valid: [sgd,"), optimizer.err());
        assertEquals(1, optimizer.err().lines().count());
        CommandRun unwritable = CommandRun.of("mnist", "--out", "/proc/descent-cannot-write-here");
        assertEquals(2, unwritable.code());
        assertTrue(unwritable.err().startsWith("descent: mnist: --out /proc/descent-cannot-write-here is not writable"), unwritable.err());
        assertEquals(2, CommandRun.of("mnist", "--dataset", "cifar").code());
        assertEquals(2, CommandRun.of("mnist", "--batch").code());
        CommandRun hugeBatch = CommandRun.of("mnist", "--batch", "100000000", "--limit", "1000");
        assertEquals(2, hugeBatch.code());
        assertEquals("descent: mnist: --batch 100000000 is larger than the training set (1000 images with --limit 1000)\n", hugeBatch.err());
        assertEquals(2, CommandRun.of("frobnicate").code());
        assertEquals(2, CommandRun.of().code());
        assertEquals(2, CommandRun.of("evaluate").code());
    }

    @Test
    void mnistOnCudaWithoutAGpuSaysWhyInOneLineAndExits2() {
        assumeFalse(Device.cudaAvailable(), "a CUDA device is present");
        CommandRun run = CommandRun.of("mnist", "--device", "cuda", "--epochs", "1");
        assertEquals(2, run.code());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("--device cuda") && run.err().contains(Device.cudaStatus()), run.err());
        assertEquals("", run.out());
    }

    @Test
    void doctorReportsTheMachineAndAMeasuredProductRatePerDevice() throws IOException {
        Path json = directory.resolve("doctor.json");
        CommandRun run = CommandRun.of("doctor", "--seconds", "0.02", "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("CUDA: " + Device.cudaStatus()), run.out());
        java.util.regex.Matcher rate = java.util.regex.Pattern.compile(
                "cpu  float32 128x784x512 x@W.t +\\[128, 784\\] @ \\[784, 512\\] \\(B transposed\\): ([0-9.]+) GFLOP/s").matcher(run.out());
        assertTrue(rate.find(), run.out());
        assertTrue(Double.parseDouble(rate.group(1)) > 0.1, run.out());
        JsonNode rates = new ObjectMapper().readTree(json.toFile()).get("cpu");
        assertEquals(7, rates.size(), rates.toString());
        assertEquals(Double.parseDouble(rate.group(1)), rates.get("128x784x512 x@W.t").asDouble(), 0.051);
        assertEquals(2, CommandRun.of("doctor", "--seconds", "0").code());
    }

    @Test
    void everyCommandDocumentsItsFlags() {
        CommandRun help = CommandRun.of("mnist", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--epochs VALUE           number of passes over the training set (default: 5)"), help.out());
        assertTrue(help.out().contains("--augment"), help.out());
        for (String command : new String[] {"compare-optimizers", "evaluate", "custom-layer", "doctor"}) {
            CommandRun h = CommandRun.of(command, "--help");
            assertEquals(0, h.code(), command);
            assertTrue(h.out().startsWith("usage: descent " + command), h.out());
        }
        assertTrue(CommandRun.of("--help").out().contains("compare-optimizers"));
    }

    /** The CNN on 1,024 images: it trains, its report prints its layers, and evaluate finds the model in the run's config. */
    @Test
    void theCnnTrainsAndItsReportPrintsTheModel() throws IOException {
        Path run = directory.resolve("cnn");
        CommandRun trained = CommandRun.of("mnist", "--model", "cnn", "--epochs", "1", "--limit", "1024", "--threads", "2", "--out", run.toString());
        assertEquals(0, trained.code(), trained.err());
        String report = Files.readString(run.resolve("report.html"));
        assertTrue(report.contains("<h2>Model</h2>") && report.contains("Conv2d(32, 64, kernel_size=[3, 3]") && report.contains("BatchNorm2d(64")
                && report.contains("MaxPool2d(kernel_size=2x2") && report.contains("421,866"), "the model in the report");
        CommandRun evaluated = CommandRun.of("evaluate", "--weights", run.resolve("weights.safetensors").toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        double accuracy = Double.parseDouble(evaluated.out().replaceAll("(?s)^test accuracy ([0-9.]+)%.*", "$1"));
        assertTrue(accuracy > 80, evaluated.out());
    }

    /** One epoch on the first 2,000 training images, twice with the same seed: at least 85% and identical numbers. */
    @Test
    void trainsOnASliceOfMnistReproduciblyAndWritesItsFiles() throws IOException {
        Path first = directory.resolve("first.json");
        Path second = directory.resolve("second.json");
        CommandRun run = CommandRun.of("mnist", "--epochs", "1", "--limit", "2000", "--batch", "32", "--threads", "2", "--out", directory.resolve("run").toString(),
                "--json", first.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(0, CommandRun.of("mnist", "--epochs", "1", "--limit", "2000", "--batch", "32", "--threads", "2", "--out", directory.resolve("again").toString(),
                "--json", second.toString()).code());
        JsonNode summary = new ObjectMapper().readTree(first.toFile());
        double accuracy = summary.get("testAccuracy").get(0).asDouble();
        // 63 steps of batch 32 under the default cosine schedule (annealed to zero within this one epoch).
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy);
        JsonNode repeat = new ObjectMapper().readTree(second.toFile());
        assertEquals(summary.get("testAccuracy"), repeat.get("testAccuracy"));
        assertEquals(summary.get("trainLoss"), repeat.get("trainLoss"));
        assertEquals(summary.get("testLoss"), repeat.get("testLoss"));
        for (String file : new String[] {"weights.safetensors", "config.json", "metrics.jsonl", "metrics.csv", "report.html"}) {
            assertTrue(Files.size(directory.resolve("run").resolve(file)) > 0, file);
        }
        String report = Files.readString(directory.resolve("run").resolve("report.html"));
        assertTrue(report.contains("<svg") && report.contains("Confusion matrix") && report.contains("data:image/png;base64,"));
        // self-contained: nothing is fetched (the SVG namespace URI is a name, not a request)
        assertTrue(!report.contains("<script") && !report.contains("<link") && !report.contains("src=\"http")
                && !report.contains("href=\"http") && !report.contains("url(http"), "self-contained");
        CommandRun evaluated = CommandRun.of("evaluate", "--weights", directory.resolve("run").resolve("weights.safetensors").toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        assertTrue(evaluated.out().startsWith(String.format(java.util.Locale.ROOT, "test accuracy %.2f%%", 100 * accuracy)), evaluated.out());
    }

    @Test
    void aDivergingRunStopsNamingTheStepAndSuggestingALowerLearningRate() {
        CommandRun run = CommandRun.of("mnist", "--optimizer", "sgd", "--lr", "1e9", "--limit", "640", "--epochs", "1", "--threads", "2",
                "--out", directory.resolve("diverged").toString());
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().matches("descent: error: training diverged at step \\d+ \\(step \\d+ of this epoch\\): the loss is .*;"
                + " try a lower learning rate\\n"), run.err());
    }
}
