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

class NormalizationStudyTest {
    @TempDir
    Path directory;

    @Test
    void theStudyTrainsEveryAblationAndChartsIt() throws IOException {
        Path out = directory.resolve("study");
        CommandRun run = CommandRun.of("study", "normalization", "--limit", "512", "--batch", "64", "--epochs", "2", "--threads", "2",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(6, results.get("batchNorm").size(), "with and without batch norm at three rates");
        assertEquals(6, results.get("regularization").size(), "three dropouts, weight decay on and off, augmentation");
        for (JsonNode curve : results.get("batchNorm")) {
            assertTrue(curve.get("model").asText().contains("batch norm"), curve.toString());
        }
        JsonNode withoutBatchNorm = results.get("batchNorm").get(1);
        assertTrue(withoutBatchNorm.get("model").asText().contains("no batch norm"), withoutBatchNorm.toString());
        String report = Files.readString(out.resolve("report.html"));
        assertEquals(4, report.split("<svg", -1).length - 1, "four charts");
        assertTrue(report.contains("./descent study normalization --limit 512"), "the exact command");
    }

    @Test
    void aBatchLargerThanTheDataIsRefused() {
        CommandRun run = CommandRun.of("study", "normalization", "--limit", "100", "--batch", "128");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("--batch 128 is larger than the training set (100 images)"), run.err());
    }
}
