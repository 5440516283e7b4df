package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSizeStudyTest {
    @TempDir
    Path directory;

    @Test
    void theStudyRunsEveryConfigurationAndWritesItsChartsAndResults() throws IOException {
        Path out = directory.resolve("study");
        CommandRun run = CommandRun.of("study", "batch-size", "--limit", "1024", "--batch", "16", "--epochs", "3", "--threads", "2",
                "--out", out.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        JsonNode scaling = results.get("linearScaling");
        assertEquals(7, scaling.size(), "the base batch, then 3 batches scaled and unscaled");
        JsonNode growth = results.get("decayVersusGrowth");
        assertEquals(3, growth.size());
        for (JsonNode curve : scaling) {
            assertEquals(3, curve.get("testAccuracy").size(), curve.toString());
        }
        // the robust direction at any size: the batch that grows 5x twice makes fewer updates (64 + 13 + 3 against 3 x 64)
        long decayUpdates = growth.get(0).get("updates").get(2).asLong();
        long growUpdates = growth.get(1).get("updates").get(2).asLong();
        assertEquals(192, decayUpdates);
        assertEquals(64 + 13 + 3, growUpdates);
        assertTrue(growUpdates < decayUpdates / 2, growUpdates + " against " + decayUpdates);
        String report = Files.readString(out.resolve("report.html"));
        assertEquals(4, report.split("<svg", -1).length - 1, "four charts");
        assertTrue(report.contains("./descent study batch-size --limit 1024 --batch 16 --epochs 3"), "the exact command");
        assertFalse(report.contains("NaN"), "every number measured");
        assertTrue(run.out().contains("linear scaling:") && run.out().contains("decay against growth:"), run.out());
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        CommandRun tooLarge = CommandRun.of("study", "batch-size", "--limit", "100", "--batch", "128");
        assertEquals(2, tooLarge.code());
        assertTrue(tooLarge.err().contains("--batch 128 is larger than the training set (100 images)"), tooLarge.err());
        CommandRun warmup = CommandRun.of("study", "batch-size", "--epochs", "2", "--warmup-epochs", "2");
        assertEquals(2, warmup.code());
        assertTrue(warmup.err().contains("--warmup-epochs 2 leaves nothing of the 2 epoch(s)"), warmup.err());
        CommandRun unknown = CommandRun.of("study", "batchsize");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown study 'batchsize' (studies: batch-size"), unknown.err());
        assertEquals(2, CommandRun.of("study").code());
    }
}
