package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Sequential;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that fail say so and keep what they can: divergence is a failure with its report, weights
 * holding NaN are refused, the configuration is written before training, a bad --config is
 * refused in our own words, and an interrupted run says what it kept.
 */
class RunFailuresTest {
    @TempDir
    Path directory;

    private static final class Killed extends RuntimeException {
    }

    @Test
    void anExplodingLossStopsTheRunWithExitOneOneLineAndAReportThatSaysSo() throws IOException {
        Path out = directory.resolve("diverged");
        CommandRun run = CommandRun.of("mnist", "--optimizer", "adam", "--lr", "1e9", "--epochs", "2", "--limit", "512", "--threads", "2",
                "--out", out.toString());
        assertEquals(1, run.code(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().matches("(?s)descent: error: training diverged at step \\d+ .*try a lower learning rate\\s*"), run.err());
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("Training stopped: training diverged at step"), "the report says why");
        assertTrue(Files.readString(out.resolve(RunDirectory.MARKER)).contains("failed at"), "the marker records the failure");
        try (var files = Files.list(out)) {
            assertEquals(List.of(RunDirectory.MARKER, "config.json", "report.html"), files.map(f -> f.getFileName().toString()).sorted().toList(),
                    "a run that diverged in its first epoch keeps its configuration and the report that says why, no weights");
        }
    }

    @Test
    void evaluateRefusesWeightsHoldingNaN() throws IOException {
        Sequential model = MnistModels.create("pooled-linear", new Generator(0), new Generator(1));
        model.namedParameters().get("1.weight").data().set(Double.NaN, 3, 7);
        Path weights = directory.resolve("weights.safetensors");
        model.save(weights);
        CommandRun run = CommandRun.of("evaluate", "--weights", weights.toString(), "--model", "pooled-linear");
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().contains(weights + " holds 1 non-finite value(s) (NaN) in '1.weight'") && run.err().contains("diverged"), run.err());
    }

    @Test
    void theConfigurationIsWrittenBeforeTrainingSoAKilledRunCanBeRepeated() throws IOException {
        Path out = directory.resolve("killed");
        List<String> args = List.of("--epochs", "3", "--limit", "256", "--threads", "2", "--seed", "4", "--out", out.toString());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThrows(Killed.class, () -> MnistCommand.run(args, quiet, false, epoch -> {
            throw new Killed();
        }));
        var config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("4", config.get("seed").asText());
        assertEquals("3", config.get("epochs").asText());
        Path again = directory.resolve("again");
        CommandRun repeat = CommandRun.of("mnist", "--config", out.resolve("config.json").toString(), "--epochs", "1", "--out", again.toString());
        assertEquals(0, repeat.code(), repeat.err());
        assertEquals("4", new ObjectMapper().readTree(again.resolve("config.json").toFile()).get("seed").asText());
    }

    private CommandRun withConfig(String text) throws IOException {
        Path file = directory.resolve("config-" + System.nanoTime() + ".json");
        Files.writeString(file, text);
        return CommandRun.of("mnist", "--config", file.toString(), "--epochs", "1", "--limit", "256", "--out", directory.resolve("unused").toString());
    }

    @Test
    void aBadConfigIsRefusedInOurOwnWordsBeforeAnythingIsWritten() throws IOException {
        assertRefused(withConfig(""), "is empty; expected the JSON object of flag values");
        assertRefused(withConfig("  \n"), "is empty");
        assertRefused(withConfig("[\"epochs\", 1]"), "holds a JSON array; expected an object of flag names to values");
        assertRefused(withConfig("{\"epochs\": \"1\",\n  \"seed\": }"), "is not valid JSON at line 2, column 11: '\"seed\": }'");
        assertRefused(withConfig("{\"epochs\": [1, 2]}"), "\"epochs\" is a JSON array; expected a string, number or boolean");
        assertRefused(withConfig("{\"epoch\": 1}"), "the configuration names an unknown flag 'epoch'");
        assertFalse(Files.exists(directory.resolve("unused")), "nothing written");
        CommandRun help = CommandRun.of("mnist", "--help");
        assertTrue(help.out().contains("its out, json, config, resume are ignored"), help.out());
    }

    private static void assertRefused(CommandRun run, String expected) {
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().startsWith("descent: mnist: --config ") || run.err().startsWith("descent: mnist: the configuration"), run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertFalse(run.err().contains("Jackson") || run.err().contains("com.fasterxml"), run.err());
    }

    /**
     * Whether this JVM was started with SIGINT ignored, as a shell without job control starts a
     * background command ({@code mvn test &}): the child run inherits that, and the JVM then
     * installs no handler, so Ctrl-C cannot reach it. Read from /proc (false where there is none).
     */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (2 - 1))) != 0;   // SIGINT is signal 2
            }
        }
        return false;
    }

    @Test
    void aRunInterruptedBySigintSaysWhatItKeptAndExits130() throws Exception {
        assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started in the background without job control)");
        Path out = directory.resolve("interrupted");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "mnist", "--epochs", "50",
                "--limit", "4096", "--threads", "2", "--out", out.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(directory.resolve("stderr.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(out.resolve("checkpoint-epoch-1")) && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(process.isAlive(), "the run is still training: " + Files.readString(directory.resolve("stderr.txt")));
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the run stopped");
        String err = Files.readString(directory.resolve("stderr.txt"));
        assertEquals(130, process.exitValue(), err);
        assertTrue(err.matches("(?s).*descent mnist: interrupted; kept config.json, metrics and the checkpoint of epoch \\d+ in " + out
                + ": continue with ./descent mnist --resume " + out + ".*"), err);
    }
}
