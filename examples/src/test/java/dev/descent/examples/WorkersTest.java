package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** descent mnist --workers: data-parallel replicas in the process train, and bad settings are one line and exit 2. */
class WorkersTest {
    @TempDir
    Path directory;

    @Test
    void twoReplicasTrainAboveChanceAndWriteTheRunsFiles() throws IOException {
        Path json = directory.resolve("summary.json");
        CommandRun run = CommandRun.of("mnist", "--workers", "2", "--epochs", "1", "--limit", "1024", "--threads", "2", "--out",
                directory.resolve("run").toString(), "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        double accuracy = new ObjectMapper().readTree(json.toFile()).get("testAccuracy").get(0).asDouble();
        assertTrue(accuracy > 0.6, "test accuracy " + accuracy);
        // replica 0 makes 1024 / 2 images in batches of 64: 8 steps, the global batch of 128 split in two
        assertEquals(8, new ObjectMapper().readTree(json.toFile()).get("steps").asInt());
    }

    @Test
    void replicasShareTheCoresUnlessThreadsAreGiven() throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        Path json = directory.resolve("shared.json");
        CommandRun run = CommandRun.of("mnist", "--workers", "2", "--epochs", "1", "--limit", "256", "--out",
                directory.resolve("shared").toString(), "--json", json.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(Math.max(1, cores / 2), new ObjectMapper().readTree(json.toFile()).get("threads").asInt());
        Path given = directory.resolve("given.json");
        run = CommandRun.of("mnist", "--workers", "2", "--threads", Integer.toString(cores), "--epochs", "1", "--limit", "256", "--out",
                directory.resolve("given").toString(), "--json", given.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(cores, new ObjectMapper().readTree(given.toFile()).get("threads").asInt());
    }

    private static void assertRefused(String expected, String... args) {
        CommandRun run = CommandRun.of(args);
        assertEquals(2, run.code(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains(expected), run.err());
    }

    @Test
    void badWorkerCountsAreRefused() {
        assertRefused("--workers must be at least 1, got 0", "mnist", "--workers", "0");
        assertRefused("--workers 300 is more than the 256 training images", "mnist", "--workers", "300", "--limit", "256", "--batch", "150");
        assertRefused("--batch 128 does not split evenly over --workers 3", "mnist", "--workers", "3");
        assertRefused("runs replicas on the CPU", "mnist", "--workers", "2", "--device", "cuda");
    }
}
