package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecondOrderNoiseStudyTest {
    @TempDir
    Path directory;

    @Test
    void everyMethodRunsOnBatchesAndOnTheWholeSetAndIsCounted() throws IOException {
        Path out = directory.resolve("study");
        CommandRun run = CommandRun.of("study", "first-vs-second-order", "--limit", "512", "--minibatch", "256", "--epochs", "1", "--threads",
                "2", "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode runs = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("runs");
        assertEquals(5, runs.size());
        // Adam: one evaluation per batch of 128; full-batch L-BFGS: one step over all 512 images, several evaluations in it
        assertEquals(4, runs.get(0).get("evaluations").get(0).asLong());
        assertEquals(512, runs.get(2).get("batch").asInt());
        assertTrue(runs.get(2).get("evaluations").get(0).asLong() > 1, runs.get(2).toString());
        for (JsonNode curve : runs) {
            double loss = curve.get("fullTrainLoss").get(0).asDouble();
            assertTrue(Double.isFinite(loss) && loss < 2.5, curve.get("optimizer") + ": training loss " + loss);
        }
        assertEquals(2, Files.readString(out.resolve("report.html")).split("<svg", -1).length - 1, "two charts");
    }
}
