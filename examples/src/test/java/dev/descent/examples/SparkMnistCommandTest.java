package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent spark-mnist} end to end under a local master: a run whose replica 1 fails in the
 * second epoch is re-run by Spark, resumes from the first epoch's checkpoint and ends where an
 * unfailed run ends, leaving only complete files; bad usage is refused with one line and exit 2
 * before Spark starts (an unreachable standalone master within seconds).
 */
class SparkMnistCommandTest {
    private static final Pattern FINAL = Pattern.compile("final test accuracy ([0-9.]+)%");

    private static double finalAccuracy(CommandRun run) {
        Matcher matcher = FINAL.matcher(run.out());
        assertTrue(matcher.find(), run.out() + run.err());
        return Double.parseDouble(matcher.group(1));
    }

    private static CommandRun train(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("spark-mnist", "--master", "local[2,4]", "--epochs", "2", "--limit", "2000",
                "--out", out.toString()));
        args.addAll(List.of(more));
        return CommandRun.of(args.toArray(new String[0]));
    }

    @Test
    void aStageThatFailsInTheSecondEpochIsReRunFromTheFirstEpochsCheckpointAndEndsAsAnUnfailedRun(@TempDir Path runs) throws IOException {
        CommandRun unfailed = train(runs.resolve("unfailed"));
        assertEquals(0, unfailed.code(), unfailed.out() + unfailed.err());
        assertTrue(unfailed.out().contains("finished in stage attempt 0"), unfailed.out());

        // 1,000 images per replica, 64 per step: 16 steps an epoch, so step 20 is in the second
        Path out = runs.resolve("failed");
        CommandRun failed = train(out, "--fail-at-step", "20");
        assertEquals(0, failed.code(), failed.out() + failed.err());
        assertTrue(failed.out().contains("finished in stage attempt 1 (resumed after epoch 1)"), failed.out());
        assertEquals(finalAccuracy(unfailed), finalAccuracy(failed), 1.0, "final test accuracy (%) of the failed and resumed run");

        assertTrue(Files.size(out.resolve("weights.safetensors")) > 0);
        assertTrue(Files.exists(out.resolve("metrics.csv")));
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "a header and one line per epoch");
        try (Stream<Path> entries = Files.list(out)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of(".descent-run", "checkpoint-epoch-2", "config.json", "metrics.csv", "metrics.jsonl", "weights.safetensors"),
                    names, "no temporary or half-written entry, one complete checkpoint");
        }
        try (Stream<Path> files = Files.list(out.resolve("checkpoint-epoch-2"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.containsAll(List.of(MnistCheckpoint.MODEL, MnistCheckpoint.STATE)), names.toString());
        }
        assertTrue(MnistCheckpoint.latest(out).epoch() == 2);
    }

    private static void assertRefused(String expected, String... args) {
        long start = System.nanoTime();
        CommandRun run = CommandRun.of(args);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(2, run.code(), run.out() + run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertEquals(1, run.err().lines().count(), "one line: " + run.err());
        assertTrue(seconds < 20, "refused in " + seconds + " s");
    }

    @Test
    void badUsageIsOneLineAndExitTwoBeforeSparkStarts(@TempDir Path runs) {
        String out = runs.resolve("refused").toString();
        assertRefused("--workers must be at least 1, got 0", "spark-mnist", "--workers", "0", "--out", out);
        assertRefused("--batch 127 does not split evenly over --workers 2", "spark-mnist", "--master", "local[2]", "--batch", "127", "--out", out);
        assertRefused("--workers 3 needs 3 task slots at once", "spark-mnist", "--master", "local[2]", "--workers", "3", "--out", out);
        assertRefused("--fail-at-step fails replica 1", "spark-mnist", "--master", "local[1]", "--fail-at-step", "3", "--out", out);
        assertRefused("no Spark master answers at 127.0.0.1:1", "spark-mnist", "--master", "spark://127.0.0.1:1", "--workers", "2", "--out", out);
        assertRefused("is not a local master Spark knows", "spark-mnist", "--master", "local[two]", "--out", out);
        assertTrue(Files.notExists(Path.of(out)), "nothing created by a refused run");
    }

    @Test
    void aJobFailureIsSummarizedByTheTasksOwnMessage() {
        Exception failure = new org.apache.spark.SparkException("Job aborted due to stage failure: ShuffleMapStage 0 has failed the maximum"
                + " allowable number of times: 4.\njava.lang.IllegalStateException: replica 1 broke\n\tat dev.descent.Somewhere.run(Somewhere.java:1)");
        assertEquals("java.lang.IllegalStateException: replica 1 broke (Job aborted due to stage failure: ShuffleMapStage 0 has failed the"
                + " maximum allowable number of times: 4.)", SparkMnistCommand.firstLine(failure));
    }

    @Test
    void helpListsTheFlags() {
        CommandRun run = CommandRun.of("spark-mnist", "--help");
        assertEquals(0, run.code());
        for (String flag : List.of("--master", "--workers", "--epochs", "--batch", "--lr", "--seed", "--limit", "--out", "--threads-per-task",
                "--fail-at-step")) {
            assertTrue(run.out().contains(flag), flag + " in " + run.out());
        }
    }
}
