package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** descent mnist logs each layer's weight-gradient norm: per epoch in metrics.jsonl, per step in the report. */
class LayerGradientNormsTest {
    @TempDir
    Path directory;

    @Test
    void everyEpochLineHasEachLayersMeanGradientNormAndTheReportChartsEveryStep() throws IOException {
        Path out = directory.resolve("run");
        CommandRun run = CommandRun.of("mnist", "--depth", "3", "--width", "32", "--epochs", "2", "--limit", "256", "--threads", "2",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        for (String line : lines) {
            JsonNode layers = new ObjectMapper().readTree(line).get("layerGradNorm");
            assertEquals(List.of("1.weight", "5.weight", "9.weight", "13.weight"), iterable(layers), line);
            layers.forEach(norm -> assertTrue(norm.asDouble() > 0 && Double.isFinite(norm.asDouble()), line));
        }
        assertTrue(Files.readString(out.resolve("report.html")).contains("Gradient norm of each layer&#39;s weights per step")
                || Files.readString(out.resolve("report.html")).contains("Gradient norm of each layer's weights per step"));
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
