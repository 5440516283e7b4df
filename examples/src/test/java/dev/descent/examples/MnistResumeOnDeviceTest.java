package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.cuda.EmulatedGpu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint moves between devices: a run stopped after its first epoch on the emulated cuda:0
 * (Adam capturable, the step replayed as a CUDA graph, optimizer state in device memory) resumes
 * on the CPU, and one stopped on the CPU resumes on the device, each ending with the weights of an
 * uninterrupted CPU run, since the emulated device computes the CPU's bits.
 */
@ExtendWith(EmulatedGpu.class)
class MnistResumeOnDeviceTest {
    private static final List<String> QUICK = List.of("--epochs", "2", "--limit", "600", "--batch", "100", "--threads", "2");

    @TempDir
    Path directory;

    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed after the checkpoint of epoch 1");
        }
    }

    private void runUntilKilled(String device, Path out) {
        List<String> args = new java.util.ArrayList<>(QUICK);
        args.addAll(List.of("--device", device, "--out", out.toString()));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThrows(Killed.class, () -> MnistCommand.run(args, quiet, false, epoch -> {
            throw new Killed();
        }));
    }

    @Test
    void aCheckpointResumesOnTheOtherDeviceWithTheSameWeights() throws Exception {
        Path whole = directory.resolve("whole");
        List<String> args = new java.util.ArrayList<>(List.of("mnist"));
        args.addAll(QUICK);
        args.addAll(List.of("--out", whole.toString()));
        CommandRun uninterrupted = CommandRun.of(args.toArray(String[]::new));
        assertEquals(0, uninterrupted.code(), uninterrupted.err());

        for (String[] devices : new String[][] {{"cuda", "cpu"}, {"cpu", "cuda"}}) {
            Path run = directory.resolve(devices[0] + "-then-" + devices[1]);
            runUntilKilled(devices[0], run);
            CommandRun resumed = CommandRun.of("mnist", "--resume", run.toString(), "--device", devices[1]);
            assertEquals(0, resumed.code(), resumed.err());
            assertEquals(-1, Files.mismatch(whole.resolve("weights.safetensors"), run.resolve("weights.safetensors")),
                    "stopped on " + devices[0] + ", resumed on " + devices[1] + ":\n" + resumed.out());
        }
    }
}
