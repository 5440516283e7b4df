package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.schedule.LRScheduler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --scale-lr linear, --warmup-epochs and --clip-grad-norm: the rates step by step against their closed forms, and bad values refused. */
class LearningRateFlagsTest {
    @TempDir
    Path directory;

    private static List<Double> rates(String shape, double factor, int warmup, int total) {
        Optimizer sgd = Optimizers.create("sgd:lr=0.1", List.of(Tensor.zeros(1).requiresGrad(true)));
        LRScheduler schedule = LearningRateSchedule.over(sgd, shape, factor, warmup, java.util.stream.IntStream.range(0, total).map(i -> 1).toArray());
        List<Double> rates = new ArrayList<>();
        for (int step = 0; step < total; step++) {
            rates.add(sgd.paramGroups().get(0).lr());
            if (schedule != null) {
                schedule.step();
            }
        }
        return rates;
    }

    @Test
    void linearScalingWithWarmupRisesFromTheUnscaledRateThenAnneals() {
        // batch 512: factor 4, target 0.4; warm-up over 4 steps from 0.1, then a cosine over the 4 left
        List<Double> rates = rates("cosine", 4, 4, 8);
        double[] expected = {0.1, 0.175, 0.25, 0.325, 0.4, 0.4 * (1 + Math.cos(Math.PI / 4)) / 2, 0.2, 0.4 * (1 + Math.cos(3 * Math.PI / 4)) / 2};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], rates.get(i), 1e-12, "step " + (i + 1) + ": " + rates);
        }
    }

    @Test
    void warmupWithoutScalingStartsAtATenthAndAConstantScheduleHolds() {
        List<Double> rates = rates("constant", 1, 2, 5);
        double[] expected = {0.01, 0.055, 0.1, 0.1, 0.1};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], rates.get(i), 1e-12, "step " + (i + 1) + ": " + rates);
        }
        assertEquals(List.of(0.1, 0.1, 0.1), rates("constant", 1, 0, 3));
    }

    @Test
    void aStepScheduleDividesTheRateAtItsEpochsCountedInStepsOfEachEpochsBatch() {
        Optimizer sgd = Optimizers.create("sgd:lr=0.1", List.of(Tensor.zeros(1).requiresGrad(true)));
        // epochs of 4, 2 and 1 steps (a batch growing by 2 at epochs 2 and 3); the rate divided by 5 at epochs 2 and 3
        LRScheduler schedule = LearningRateSchedule.over(sgd, "step:5@2,3", 1, 0, new int[] {4, 2, 1});
        List<Double> rates = new ArrayList<>();
        for (int step = 0; step < 7; step++) {
            rates.add(sgd.paramGroups().get(0).lr());
            schedule.step();
        }
        double[] expected = {0.1, 0.1, 0.1, 0.1, 0.02, 0.02, 0.004};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], rates.get(i), 1e-15, "step " + (i + 1) + ": " + rates);
        }
    }

    @Test
    void aBatchScheduleTakesFewerLargerStepsInItsLaterEpochs() throws java.io.IOException {
        Path json = directory.resolve("summary.json");
        CommandRun run = CommandRun.of("mnist", "--batch-schedule", "2@2,3", "--epochs", "3", "--limit", "512", "--threads", "2", "--json",
                json.toString(), "--out", directory.resolve("grow").toString());
        assertEquals(0, run.code(), run.err());
        // batches of 128, 256 and 512 over 512 images: 4 + 2 + 1 steps
        assertEquals(7, new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile()).get("steps").asInt());
        assertRefused("grows the batch of 128 to 512, larger than the training set (256 images)", "--batch-schedule", "2@2,3", "--epochs",
                "3", "--limit", "256");
        assertRefused("epoch 1 is not in 2..2", "--batch-schedule", "2@1");
        assertRefused("epoch 4 is not in 2..2", "--schedule", "step:5@4");
        assertRefused("has no '@'", "--batch-schedule", "5");
        assertRefused("the factor must be an integer", "--batch-schedule", "2.5@2");
        assertRefused("--schedule step:5@2: newtoncg has no learning rate", "--optimizer", "newtoncg", "--schedule", "step:5@2");
    }

    private static void assertRefused(String expected, String... args) {
        List<String> all = new ArrayList<>(List.of("mnist", "--limit", "256", "--epochs", "2"));
        all.addAll(List.of(args));
        CommandRun run = CommandRun.of(all.toArray(new String[0]));
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(expected), run.err());
    }

    @Test
    void badRateFlagsAreRefusedBeforeAnythingRuns() {
        assertRefused("--warmup-epochs 2 leaves nothing of the 2 epoch(s)", "--warmup-epochs", "2");
        assertRefused("--scale-lr and --warmup-epochs set a learning rate, and newtoncg has none", "--optimizer", "newtoncg",
                "--scale-lr", "linear");
        assertRefused("--clip-grad-norm must be a positive number, got 0", "--clip-grad-norm", "0");
        assertRefused("--clip-grad-norm clips the gradient of a loss, and levenbergmarquardt fits residuals", "--optimizer", "lm",
                "--clip-grad-norm", "1");
        assertRefused("--scale-lr must be one of", "--scale-lr", "square");
    }

    @Test
    void clippingKeepsADivergingSgdRunFinite() {
        // SGD at lr 5 without batch norm diverges within an epoch; clipped to norm 1, every step moves at most 5 in norm and the run ends
        CommandRun unclipped = CommandRun.of("mnist", "--optimizer", "sgd", "--lr", "5", "--no-batchnorm", "--limit", "512", "--epochs", "1",
                "--threads", "2", "--out", directory.resolve("a").toString());
        assertEquals(1, unclipped.code(), unclipped.out());
        CommandRun clipped = CommandRun.of("mnist", "--optimizer", "sgd", "--lr", "5", "--no-batchnorm", "--clip-grad-norm", "1", "--limit",
                "512", "--epochs", "1", "--threads", "2", "--out", directory.resolve("b").toString());
        assertEquals(0, clipped.code(), clipped.err());
    }
}
