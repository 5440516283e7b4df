package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent mnist --resume}: a run stopped after its first epoch's checkpoint (as a
 * {@code kill -9} during the second epoch leaves it) and resumed ends with the weights of one
 * that never stopped, byte for byte, under the default Adam and cosine schedule, with augmentation
 * and dropout drawing from their generators throughout.
 */
class MnistResumeTest {
    private static final List<String> QUICK = List.of("--limit", "600", "--batch", "100", "--threads", "2", "--augment");

    @TempDir
    Path directory;

    /** What stops a run in the test where a kill would: right after a checkpoint, before anything else is written. */
    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed after the checkpoint of epoch 1");
        }
    }

    private static List<String> mnist(String... extra) {
        List<String> args = new ArrayList<>(List.of("mnist"));
        args.addAll(QUICK);
        args.addAll(List.of(extra));
        return args;
    }

    private static CommandRun run(List<String> args) {
        return CommandRun.of(args.toArray(String[]::new));
    }

    @Test
    void aRunKilledAfterItsFirstEpochResumesToTheWeightsOfAnUninterruptedRun() throws IOException {
        Path whole = directory.resolve("whole");
        CommandRun uninterrupted = run(mnist("--epochs", "3", "--out", whole.toString(), "--json", directory.resolve("whole.json").toString()));
        assertEquals(0, uninterrupted.code(), uninterrupted.err());

        Path killed = directory.resolve("killed");
        List<String> args = mnist("--epochs", "3", "--out", killed.toString());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThrows(Killed.class, () -> MnistCommand.run(args.subList(1, args.size()), quiet, false, epoch -> {
            throw new Killed();
        }));
        assertFalse(Files.exists(killed.resolve("weights.safetensors")));
        // and killed again while writing the second epoch's checkpoint: a temporary directory with a truncated file
        Path partial = Files.createDirectory(killed.resolve(".checkpoint-epoch-2.q8x.partial"));
        Files.write(partial.resolve(MnistCheckpoint.MODEL), new byte[] {64, 0, 0});

        CommandRun resumed = CommandRun.of("mnist", "--resume", killed.toString(), "--json", directory.resolve("resumed.json").toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming " + killed + " after epoch 1 (checkpoint-epoch-1)"), resumed.out());
        assertFalse(resumed.out().contains("epoch 1/3  train loss"), "epoch 1 is not trained again:\n" + resumed.out());
        assertEquals(-1, Files.mismatch(whole.resolve("weights.safetensors"), killed.resolve("weights.safetensors")),
                "the resumed run's weights differ from the uninterrupted run's");
        JsonNode expected = new ObjectMapper().readTree(directory.resolve("whole.json").toFile());
        JsonNode actual = new ObjectMapper().readTree(directory.resolve("resumed.json").toFile());
        for (String field : new String[] {"trainLoss", "testLoss", "testAccuracy"}) {
            assertEquals(expected.get(field), actual.get(field), field + " of all three epochs");
        }
        assertEquals(Files.readAllLines(whole.resolve("metrics.csv")).stream().map(MnistResumeTest::withoutSeconds).toList(),
                Files.readAllLines(killed.resolve("metrics.csv")).stream().map(MnistResumeTest::withoutSeconds).toList());
        assertEquals(List.of(RunDirectory.MARKER, "checkpoint-epoch-3", "config.json", "metrics.csv", "metrics.jsonl", "report.html", "weights.safetensors"),
                names(killed), "the leftover temporary directory is gone");
        ObjectNode wholeConfig = (ObjectNode) new ObjectMapper().readTree(whole.resolve("config.json").toFile());
        ObjectNode resumedConfig = (ObjectNode) new ObjectMapper().readTree(killed.resolve("config.json").toFile());
        wholeConfig.remove(List.of("out", "json"));
        resumedConfig.remove(List.of("out", "json"));
        assertEquals(wholeConfig, resumedConfig, "the configuration, without the paths");
    }

    @Test
    void theStateOfEveryKindOfOptimizerResumesBitForBit() throws IOException {
        // momentum buffers, centered averages, and L-BFGS's curvature pairs and direction
        for (String optimizer : List.of("sgd:momentum=0.9,nesterov=true", "rmsprop:centered=true,momentum=0.5", "lbfgs")) {
            String name = optimizer.replaceAll("[^a-z]", "");
            Path whole = directory.resolve(name + "-whole");
            CommandRun uninterrupted = run(mnist("--epochs", "2", "--limit", "400", "--optimizer", optimizer, "--out", whole.toString()));
            assertEquals(0, uninterrupted.code(), optimizer + ": " + uninterrupted.err());
            Path killed = directory.resolve(name + "-killed");
            List<String> args = mnist("--epochs", "2", "--limit", "400", "--optimizer", optimizer, "--out", killed.toString());
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            assertThrows(Killed.class, () -> MnistCommand.run(args.subList(1, args.size()), quiet, false, epoch -> {
                throw new Killed();
            }));
            CommandRun resumed = CommandRun.of("mnist", "--resume", killed.toString());
            assertEquals(0, resumed.code(), optimizer + ": " + resumed.err());
            assertEquals(-1, Files.mismatch(whole.resolve("weights.safetensors"), killed.resolve("weights.safetensors")), optimizer);
        }
    }

    private static String withoutSeconds(String csvLine) {
        return csvLine.substring(0, csvLine.lastIndexOf(','));
    }

    private static List<String> names(Path run) throws IOException {
        try (Stream<Path> entries = Files.list(run)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFinishedRunTrainsFurtherOnACosineReplannedOverTheNewLength() throws IOException {
        Path run = directory.resolve("run");
        assertEquals(0, run(mnist("--epochs", "1", "--out", run.toString())).code());
        CommandRun finished = CommandRun.of("mnist", "--resume", run.toString());
        assertEquals(2, finished.code());
        assertEquals("descent: mnist: --resume " + run + ": the run has trained all its 1 epoch(s); pass --epochs N with N above 1 to train"
                + " further\n", finished.err());

        CommandRun further = CommandRun.of("mnist", "--resume", run.toString(), "--epochs", "2");
        assertEquals(0, further.code(), further.err());
        assertTrue(further.out().contains("the cosine schedule is re-planned over 2 epochs: step 6 continues at lr 0.0005"), further.out());
        assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size(), "a header and both epochs");
        JsonNode rates = new ObjectMapper().readTree(run.resolve("checkpoint-epoch-2").resolve(MnistCheckpoint.STATE).toFile())
                .get("history").get("stepLr");
        assertEquals(12, rates.size());
        assertEquals(1e-3 * (1 + Math.cos(Math.PI * 5 / 6)) / 2, rates.get(5).asDouble(), 1e-15, "the first epoch annealed over its own length");
        for (int step = 6; step < 12; step++) {
            double planned = 1e-3 * (1 + Math.cos(Math.PI * step / 12)) / 2;
            assertEquals(planned, rates.get(step).asDouble(), 1e-15, "step " + step + " follows a 2-epoch cosine");
        }
    }

    @Test
    void flagsThatWouldChangeTheTrainingAreRefusedByName() throws IOException {
        assertTrue(CommandRun.of("mnist", "--help").out().contains("--resume VALUE           continue the run in this directory from the"
                + " checkpoint it writes after every epoch"));
        Path run = directory.resolve("run");
        assertEquals(0, run(mnist("--epochs", "1", "--out", run.toString())).code());
        assertRefused("--resume: --batch 50 differs from the checkpoint's 100; a resumed run keeps the settings it was trained with"
                + " (leave --batch out, or start a new run)", "--resume", run.toString(), "--epochs", "2", "--batch", "50");
        assertRefused("--resume: --seed 1 differs from the checkpoint's 0", "--resume", run.toString(), "--epochs", "2", "--seed", "1");
        assertRefused("--resume: --lr 0.01 differs from the checkpoint's --optimizer adam; a resumed run keeps the settings it was"
                + " trained with (leave --lr out, or start a new run)", "--resume", run.toString(), "--epochs", "2", "--lr", "0.01");
        assertRefused("--resume: --optimizer sgd differs from the checkpoint's --optimizer adam", "--resume", run.toString(), "--epochs", "2",
                "--optimizer", "sgd");
        assertRefused("--resume: --schedule constant differs from the checkpoint's cosine", "--resume", run.toString(), "--epochs", "2",
                "--schedule", "constant");
        assertRefused("--resume: --epochs 1 leaves nothing to train: the checkpoint has trained 1 epoch(s)", "--resume", run.toString(),
                "--epochs", "1");
        assertRefused("--resume and --config cannot be combined", "--resume", run.toString(), "--config", run.resolve("config.json").toString());
        assertRefused("--resume writes into the run's own directory", "--resume", run.toString(), "--out", directory.resolve("elsewhere").toString());
        assertRefused("--resume " + directory.resolve("none") + ": no checkpoint there", "--resume", directory.resolve("none").toString());
    }

    private static void assertRefused(String message, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "mnist";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandRun refused = CommandRun.of(all);
        assertEquals(2, refused.code(), refused.out());
        assertTrue(refused.err().startsWith("descent: mnist: " + message), refused.err());
    }
}
