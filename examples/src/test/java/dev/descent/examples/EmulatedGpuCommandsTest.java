package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cuda.EmulatedGpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that train, end to end with {@code --device cuda} on the emulated cuda:0, which
 * keeps the real device's memory rules (an array used after its step released it fails as on a
 * GPU) and runs the CPU's kernels, so its numbers must equal {@code --device cpu}'s.
 */
@ExtendWith(EmulatedGpu.class)
class EmulatedGpuCommandsTest {
    private static final String[] QUICK = {"--epochs", "2", "--limit", "1000", "--batch", "100", "--threads", "2"};

    @TempDir
    Path directory;

    private CommandRun mnist(String device, String name) {
        String[] args = new String[QUICK.length + 7];
        args[0] = "mnist";
        System.arraycopy(QUICK, 0, args, 1, QUICK.length);
        String[] rest = {"--device", device, "--out", directory.resolve(name).toString(), "--json", directory.resolve(name + ".json").toString()};
        System.arraycopy(rest, 0, args, 1 + QUICK.length, rest.length);
        return CommandRun.of(args);
    }

    @Test
    void mnistTrainsAndEvaluatesOnTheDeviceWithTheCpusNumbersAndFlatMemory() throws IOException {
        CommandRun gpu = mnist("cuda", "gpu");
        assertEquals(0, gpu.code(), gpu.err() + gpu.out());
        assertTrue(gpu.out().contains("device: cuda:0 emulated on the host"), gpu.out());
        Matcher memory = Pattern.compile("device memory: allocated ([^,]+),.*\\((\\d+) blocks in use").matcher(gpu.out());
        assertTrue(memory.find(), gpu.out());
        String firstEpoch = memory.group(2);
        assertTrue(memory.find(), gpu.out());
        // no growth (arrays other tests left to the garbage collector may be released meanwhile, hence no equality)
        assertTrue(Integer.parseInt(memory.group(2)) <= Integer.parseInt(firstEpoch), "blocks in use after epochs 1 and 2:\n" + gpu.out());
        Matcher activity = Pattern.compile("device activity per step: ([0-9.]+) kernel launches.*?([0-9.]+) device-to-host copies")
                .matcher(gpu.out());
        assertTrue(activity.find(), gpu.out());
        // 10 steps an epoch: the metric reads (about one a second, and at each epoch's end) are the only copies back
        assertTrue(Double.parseDouble(activity.group(2)) < 1, gpu.out());

        CommandRun cpu = mnist("cpu", "cpu");
        assertEquals(0, cpu.code(), cpu.err());
        JsonNode onGpu = new ObjectMapper().readTree(directory.resolve("gpu.json").toFile());
        JsonNode onCpu = new ObjectMapper().readTree(directory.resolve("cpu.json").toFile());
        for (String field : new String[] {"trainLoss", "testLoss", "testAccuracy"}) {
            assertEquals(onCpu.get(field), onGpu.get(field), field);
        }

        String weights = directory.resolve("gpu").resolve("weights.safetensors").toString();
        CommandRun evaluatedOnGpu = CommandRun.of("evaluate", "--weights", weights, "--device", "cuda");
        CommandRun evaluatedOnCpu = CommandRun.of("evaluate", "--weights", weights);
        assertEquals(0, evaluatedOnGpu.code(), evaluatedOnGpu.err());
        assertEquals(evaluatedOnCpu.out(), evaluatedOnGpu.out());
        assertTrue(evaluatedOnGpu.out().startsWith(String.format(java.util.Locale.ROOT, "test accuracy %.2f%%",
                100 * onGpu.get("testAccuracy").get(1).asDouble())), evaluatedOnGpu.out());
    }

    @Test
    void compareOptimizersTrainsEveryContenderOnTheDevice() throws IOException {
        CommandRun run = CommandRun.of("compare-optimizers", "--device", "cuda", "--limit", "256", "--epochs", "1", "--threads", "2",
                "--out", directory.resolve("compare").toString());
        assertEquals(0, run.code(), run.err());
        JsonNode results = new ObjectMapper().readTree(directory.resolve("compare").resolve("results.json").toFile());
        assertEquals(CompareOptimizersCommand.contenders("classic").size(), results.size());
        results.fields().forEachRemaining(entry -> {
            double loss = entry.getValue().get("trainLoss").asDouble();
            assertTrue(Double.isFinite(loss) && loss > 0, entry.getKey() + ": " + loss);
            assertEquals(2, entry.getValue().get("stepLoss").size(), entry.getKey());
        });
        assertTrue(Files.size(directory.resolve("compare").resolve("compare.html")) > 0);
    }

    @Test
    void customLayerTrainsItsHandWrittenFunctionOnTheDevice() {
        CommandRun gpu = CommandRun.of("custom-layer", "--device", "cuda", "--limit", "512", "--threads", "2");
        CommandRun cpu = CommandRun.of("custom-layer", "--device", "cpu", "--limit", "512", "--threads", "2");
        assertEquals(0, gpu.code(), gpu.err());
        assertEquals(0, cpu.code(), cpu.err());
        Pattern result = Pattern.compile("test accuracy ([0-9.]+)%  learned beta ([0-9.]+)");
        Matcher onGpu = result.matcher(gpu.out());
        Matcher onCpu = result.matcher(cpu.out());
        assertTrue(onGpu.find() && onCpu.find(), gpu.out());
        assertEquals(onCpu.group(1), onGpu.group(1));
        assertEquals(onCpu.group(2), onGpu.group(2));
    }

    @Test
    void aDeviceThatIsNotThereIsOneLineAndExitCode2ForEveryCommandThatTrains() {
        for (String command : new String[] {"mnist", "compare-optimizers", "custom-layer", "evaluate"}) {
            String[] weights = command.equals("evaluate") ? new String[] {"--weights", "pom.xml"} : new String[0];
            for (String device : new String[] {"cuda:7", "tpu"}) {
                String[] args = new String[3 + weights.length];
                args[0] = command;
                args[1] = "--device";
                args[2] = device;
                System.arraycopy(weights, 0, args, 3, weights.length);
                CommandRun run = CommandRun.of(args);
                assertEquals(2, run.code(), command + " " + device + ": " + run.err());
                assertEquals(1, run.err().lines().count(), run.err());
                assertTrue(run.err().contains("--device " + device), run.err());
                assertEquals("", run.out(), command + " " + device);
            }
        }
    }

    @Test
    void aBatchTooLargeForTheDevicesMemoryIsOneLineAndExitCode2() {
        // the emulated device has 512 MiB: the staged data (219 MiB) and one batch of 60,000 do not fit
        CommandRun run = CommandRun.of("mnist", "--device", "cuda", "--batch", "60000", "--epochs", "1", "--threads", "2",
                "--out", directory.resolve("huge").toString());
        assertEquals(2, run.code(), run.err());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().startsWith("descent: mnist: cuda:0: out of memory: tried to allocate") && run.err().contains("try a smaller --batch"),
                run.err());
    }

    @Test
    void aStudyRunsOnTheDeviceWithTheCpusNumbers() throws IOException {
        JsonNode[] results = new JsonNode[2];
        String[] devices = {"cuda", "cpu"};
        for (int i = 0; i < 2; i++) {
            Path out = directory.resolve("study-" + devices[i]);
            CommandRun run = CommandRun.of("study", "normalization", "--device", devices[i], "--limit", "512", "--batch", "128", "--epochs",
                    "1", "--threads", "2", "--out", out.toString());
            assertEquals(0, run.code(), devices[i] + ": " + run.err());
            results[i] = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        }
        JsonNode gpu = results[0].get("batchNorm");
        JsonNode cpu = results[1].get("batchNorm");
        for (int i = 0; i < gpu.size(); i++) {
            assertEquals(cpu.get(i).get("testAccuracy").toString(), gpu.get(i).get("testAccuracy").toString(), cpu.get(i).get("model").asText());
        }
    }
}
