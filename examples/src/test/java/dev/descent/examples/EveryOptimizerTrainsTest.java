package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every name {@code descent mnist --optimizer} lists trains MLP-BN through the same closure, on the
 * first 512 training images for one epoch, or is refused in one line that says why and what to
 * use: BFGS and Newton, whose dense matrices cannot hold MLP-BN's parameters, and the least-squares
 * methods, which fit residuals rather than a classifier's loss.
 */
class EveryOptimizerTrainsTest {
    /** What the refusal of each method that cannot train MLP-BN must say. */
    private static final java.util.Map<String, String> REFUSALS = java.util.Map.of(
            "bfgs", "dense inverse-Hessian approximation of 537,354 x 537,354 parameters",
            "newton", "a dense Hessian of 537,354 x 537,354 parameters",
            "gaussnewton", "GaussNewton minimizes a sum of squared residuals",
            "levenberg", "Levenberg minimizes a sum of squared residuals",
            "levenbergmarquardt", "LevenbergMarquardt minimizes a sum of squared residuals");

    @TempDir
    Path directory;

    @Test
    void everyListedOptimizerTrainsMlpBnOrSaysWhyNot() throws IOException {
        for (String name : Optimizers.names()) {
            Path json = directory.resolve(name + ".json");
            CommandRun run = CommandRun.of("mnist", "--optimizer", name, "--epochs", "1", "--limit", "512", "--threads", "2", "--out",
                    directory.resolve(name).toString(), "--json", json.toString());
            String refusal = REFUSALS.get(name);
            if (refusal != null) {
                // the least-squares methods are refused with the flags, the dense ones at their first step: neither leaves a run
                // directory (it is made only when the first epoch's files are written)
                boolean leastSquares = refusal.contains("sum of squared residuals");
                assertEquals(leastSquares ? 2 : 1, run.code(), run.err());
                assertFalse(java.nio.file.Files.exists(directory.resolve(name)), name + ": run directory");
                assertTrue(run.err().contains(refusal), name + ": " + run.err());
                continue;
            }
            assertEquals(0, run.code(), name + ": " + run.err());
            JsonNode summary = new ObjectMapper().readTree(json.toFile());
            double accuracy = summary.get("testAccuracy").get(0).asDouble();
            double loss = summary.get("trainLoss").get(0).asDouble();
            assertTrue(Double.isFinite(loss), name + ": train loss " + loss);
            // four steps of 128 images: above chance (10%) for all but RAdam, whose variance rectification holds it back at first
            assertTrue(accuracy > (name.equals("radam") ? 0.05 : 0.5), name + ": test accuracy " + accuracy);
        }
    }

    @Test
    void compareOptimizersChartsEveryNameAndRefusesAnUnknownOne() throws IOException {
        Path out = directory.resolve("all");
        CommandRun all = CommandRun.of("compare-optimizers", "--optimizers", "all", "--limit", "256", "--threads", "2", "--out", out.toString());
        assertEquals(0, all.code(), all.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(Optimizers.names().size(), results.size());
        for (String name : Optimizers.names()) {
            JsonNode entry = results.get(name);
            assertTrue(REFUSALS.containsKey(name) ? entry.get("error").asText().contains(REFUSALS.get(name))
                    : Double.isFinite(entry.get("trainLoss").asDouble()), name + ": " + entry);
        }
        assertTrue(java.nio.file.Files.readString(out.resolve("compare.html")).contains("did not train: BFGS"));
        CommandRun unknown = CommandRun.of("compare-optimizers", "--optimizers", "adam;adamm");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("descent: compare-optimizers: --optimizers: optimizer: unknown name 'adamm'"), unknown.err());
    }
}
