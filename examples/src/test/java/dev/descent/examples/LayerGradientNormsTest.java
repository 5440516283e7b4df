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

/** descent mnist logs each layer's weight-gradient norm at every step, and each epoch's mean, in metrics.jsonl, and charts them in the report. */
class LayerGradientNormsTest {
    @TempDir
    Path directory;

    @Test
    void metricsLogEveryStepsLayerGradientNormsAndEachEpochsMeanAndTheReportChartsThem() throws IOException {
        Path out = directory.resolve("run");
        CommandRun run = CommandRun.of("mnist", "--depth", "3", "--width", "32", "--epochs", "2", "--limit", "256", "--threads", "2",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2 * (2 + 1), lines.size(), "two steps and the epoch's line, twice");
        ObjectMapper json = new ObjectMapper();
        for (int e = 0; e < 2; e++) {
            JsonNode first = json.readTree(lines.get(3 * e));
            JsonNode second = json.readTree(lines.get(3 * e + 1));
            JsonNode epoch = json.readTree(lines.get(3 * e + 2));
            assertEquals(2 * e + 1, first.get("step").asInt());
            assertEquals(e + 1, epoch.get("epoch").asInt());
            assertEquals(List.of("1.weight", "5.weight", "9.weight", "13.weight"), iterable(epoch.get("layerGradNorm")), lines.get(3 * e + 2));
            for (String layer : iterable(epoch.get("layerGradNorm"))) {
                double a = first.get("layerGradNorm").get(layer).asDouble();
                double b = second.get("layerGradNorm").get(layer).asDouble();
                assertTrue(a > 0 && Double.isFinite(a), lines.get(3 * e));
                assertEquals((a + b) / 2, epoch.get("layerGradNorm").get(layer).asDouble(), 1e-12 * (a + b), "the epoch's mean of " + layer);
            }
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
