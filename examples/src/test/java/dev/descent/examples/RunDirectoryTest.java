package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.core.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run directories (issue 24): the default one is unique to its run, a run never writes into a
 * directory another run owns, and every flag is checked before any directory is made.
 */
class RunDirectoryTest {
    private static final Pattern WROTE = Pattern.compile("the last epoch's checkpoint to (\\S+)\\n");

    @TempDir
    Path directory;
    private Path root;

    @BeforeEach
    void runsGoToATemporaryRoot() {
        root = directory.resolve("runs");
        System.setProperty(RunDirectory.ROOT_PROPERTY, root.toString());
    }

    @AfterEach
    void restore() {
        System.clearProperty(RunDirectory.ROOT_PROPERTY);
        RunDirectory.clock = Clock.systemDefaultZone();
    }

    private List<Path> runs() throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.sorted().toList();
        }
    }

    @Test
    void twoMnistRunsStartedTogetherKeepBothResultsInDirectoriesOfTheirOwn() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<CommandRun>> runs = new ArrayList<>();
            for (String seed : new String[] {"1", "2"}) {
                runs.add(pool.submit(() -> {
                    start.await();
                    return CommandRun.of("mnist", "--limit", "256", "--epochs", "1", "--batch", "128", "--threads", "1", "--seed", seed);
                }));
            }
            Set<Path> written = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                CommandRun run = runs.get(i).get();
                assertEquals(0, run.code(), run.err());
                Matcher wrote = WROTE.matcher(run.out());
                assertTrue(wrote.find(), run.out());
                Path dir = Path.of(wrote.group(1));
                assertTrue(dir.getFileName().toString().matches("mnist-\\d{8}-\\d{6}-\\d{3}-[0-9a-z]+"), dir.toString());
                assertEquals(root, dir.getParent());
                written.add(dir);
                assertEquals(Integer.toString(i + 1), new ObjectMapper().readTree(dir.resolve("config.json").toFile()).get("seed").asText(),
                        "each directory holds its own run's results");
                assertTrue(Files.size(dir.resolve("weights.safetensors")) > 0);
                assertTrue(Files.readString(dir.resolve(RunDirectory.MARKER)).startsWith("descent mnist run, started "));
            }
            assertEquals(2, written.size(), "two runs, two directories");
            assertEquals(List.copyOf(new java.util.TreeSet<>(written)), runs());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void defaultDirectoriesMadeInTheSameMillisecondAreDistinct() throws Exception {
        RunDirectory.clock = Clock.fixed(Instant.parse("2026-12-04T19:10:38.123Z"), ZoneOffset.UTC);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> made = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                made.add(pool.submit(() -> RunDirectory.of("mnist", "runs/mnist-<timestamp>", false, "mnist").create()));
            }
            Set<Path> distinct = new HashSet<>();
            for (Future<Path> path : made) {
                Path dir = path.get();
                assertTrue(dir.getFileName().toString().startsWith("mnist-20261204-191038-123-"), dir.toString());
                assertTrue(Files.exists(dir.resolve(RunDirectory.MARKER)));
                distinct.add(dir);
            }
            assertEquals(64, distinct.size());
            assertEquals(64, runs().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void usageErrorsLeaveNoDirectory() throws IOException {
        CommandRun limit = CommandRun.of("mnist", "--limit", "0", "--epochs", "1");
        assertEquals(2, limit.code());
        assertEquals("descent: mnist: --limit must be at least 1, got 0\n", limit.err());
        Path explicit = directory.resolve("explicit");
        assertEquals(2, CommandRun.of("mnist", "--limit", "0", "--out", explicit.toString()).code());

        CommandRun empty = CommandRun.of("mnist", "--out", "", "--limit", "256", "--epochs", "1");
        assertEquals(2, empty.code(), empty.out());
        assertEquals("descent: mnist: --out is empty; give a directory for the results, or leave --out out for a new directory under "
                + root + "/\n", empty.err());
        assertEquals("", empty.out());
        for (String command : new String[] {"compare-optimizers", "second-order", "landscape"}) {
            CommandRun other = CommandRun.of(command, "--out", "");
            assertEquals(2, other.code(), command + ": " + other.out());
            assertTrue(other.err().startsWith("descent: " + command + ": --out is empty"), other.err());
        }

        if (!Device.cudaAvailable()) {   // DESCENT_CUDA_EMULATE off: this machine has no usable GPU
            CommandRun cuda = CommandRun.of("mnist", "--device", "cuda", "--limit", "256", "--epochs", "1", "--out", explicit.toString());
            assertEquals(2, cuda.code());
            assertEquals(1, cuda.err().lines().count(), cuda.err());
            assertEquals(2, CommandRun.of("mnist", "--device", "cuda", "--limit", "256", "--epochs", "1").code());
            assertEquals(2, CommandRun.of("compare-optimizers", "--device", "cuda", "--limit", "256").code());
        }
        assertFalse(Files.exists(explicit), "a usage error made " + explicit);
        assertEquals(List.of(), runs(), "a usage error made a run directory");
    }

    @Test
    void aRunThatFailsAfterAnEpochSaysSoInItsMarker() throws IOException {
        Path stopped = directory.resolve("stopped");
        java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true, java.nio.charset.StandardCharsets.UTF_8);
        List<String> args = List.of("--limit", "256", "--batch", "128", "--epochs", "2", "--threads", "2", "--out", stopped.toString());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> MnistCommand.run(args, quiet, quiet, false, epoch -> {
            throw new IllegalStateException("disk full after epoch " + epoch);
        }));
        String marker = Files.readString(stopped.resolve(RunDirectory.MARKER));
        assertTrue(marker.startsWith("descent mnist run, started ") && marker.contains("failed at ") && marker.endsWith(
                ": disk full after epoch 1\n"), marker);
    }

    @Test
    void aDirectoryAnotherRunOwnsOrHoldsResultsInIsRefusedButResumeContinuesItsOwn() throws IOException {
        Path first = directory.resolve("first");
        assertEquals(0, CommandRun.of("mnist", "--limit", "256", "--batch", "128", "--epochs", "1", "--threads", "2", "--out",
                first.toString()).code());
        byte[] weights = Files.readAllBytes(first.resolve("weights.safetensors"));
        CommandRun again = CommandRun.of("mnist", "--limit", "256", "--batch", "128", "--epochs", "1", "--threads", "2", "--seed", "5",
                "--out", first.toString());
        assertEquals(2, again.code(), again.out());
        assertEquals("descent: mnist: --out " + first + " is another run's (it has " + RunDirectory.MARKER + "); choose a new directory,"
                + " leave --out out for a fresh one, or --resume it to continue that run\n", again.err());
        assertEquals(-1, Files.mismatch(first.resolve("weights.safetensors"), writeTemp(weights)), "the first run's weights are untouched");

        // results of a run from before the marker, and a directory another run has just claimed
        Path old = Files.createDirectories(directory.resolve("old"));
        Files.writeString(old.resolve("results.json"), "{}");
        CommandRun intoOld = CommandRun.of("second-order", "--problem", "rosenbrock", "--iterations", "5", "--out", old.toString());
        assertEquals(2, intoOld.code(), intoOld.out());
        assertTrue(intoOld.err().startsWith("descent: second-order: --out " + old + " holds another run's results (results.json)"),
                intoOld.err());
        assertEquals("{}", Files.readString(old.resolve("results.json")));
        Path claimed = Files.createDirectories(directory.resolve("claimed"));
        Files.writeString(claimed.resolve(RunDirectory.MARKER), "descent landscape run, started now\n");
        assertEquals(2, CommandRun.of("landscape", "--steps", "5", "--out", claimed.toString()).code());
        assertEquals(1, Files.list(claimed).count());

        CommandRun resumed = CommandRun.of("mnist", "--resume", first.toString(), "--epochs", "2");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("the last epoch's checkpoint to " + first + "\n"), resumed.out());
        assertEquals(3, Files.readAllLines(first.resolve("metrics.csv")).size());
    }

    private Path writeTemp(byte[] bytes) throws IOException {
        return Files.write(directory.resolve("expected.safetensors"), bytes);
    }

    @Test
    void threadsBeyondTheCoresAreCappedWithAWarning() throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        Path out = directory.resolve("threads");
        CommandRun run = CommandRun.of("mnist", "--threads", "1000", "--limit", "256", "--batch", "128", "--epochs", "1", "--out",
                out.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals("descent: mnist: warning: --threads 1000 is more than the " + cores + " core(s) here; capped to " + cores + "\n",
                run.err());
        assertTrue(run.out().contains(", " + cores + " thread(s)"), run.out());
        assertEquals(Integer.toString(cores), new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("threads").asText());
        CommandRun secondOrder = CommandRun.of("second-order", "--problem", "rosenbrock", "--iterations", "5", "--threads", "1000");
        assertEquals(0, secondOrder.code(), secondOrder.err());
        assertTrue(secondOrder.err().contains("--threads 1000 is more than the " + cores + " core(s) here; capped to " + cores),
                secondOrder.err());
        CommandRun within = CommandRun.of("second-order", "--problem", "rosenbrock", "--iterations", "5", "--threads", Integer.toString(cores));
        assertEquals("", within.err());
    }
}
