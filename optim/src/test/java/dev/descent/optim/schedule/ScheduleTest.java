package dev.descent.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.optim.Fixtures;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.firstorder.Adagrad;
import dev.descent.optim.firstorder.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Learning-rate schedules against torch.optim.lr_scheduler over 100 steps (tools/optim_fixtures.py). */
class ScheduleTest {

    private static SGD optimizer() {
        return new SGD(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), SGD.options().lr(0.1).momentum(0.9));
    }

    private static LRScheduler make(String name, Optimizer o) {
        return switch (name) {
            case "step" -> new StepLR(o, 7, 0.5);
            case "multistep" -> new MultiStepLR(o, new int[] {10, 25, 60}, 0.3);
            case "exponential" -> new ExponentialLR(o, 0.97);
            case "cosine" -> new CosineAnnealingLR(o, 30, 0.001);
            case "cosine_restarts" -> new CosineAnnealingWarmRestarts(o, 10, 2, 0.002);
            case "linear_warmup" -> new LinearLR(o, 0.1, 1.0, 20);
            case "polynomial" -> new PolynomialLR(o, 80, 2.0);
            case "inverse_time" -> new InverseTimeDecayLR(o, 0.05);
            case "one_cycle" -> new OneCycleLR(o, 1.0, 100);
            case "one_cycle_linear_three_phase" -> new OneCycleLR(o, 0.5, 100, 0.25, OneCycleLR.Anneal.LINEAR, true, 0.85, 0.95,
                    25, 1e4, true);
            case "warmup_then_cosine" -> new SequentialLR(o, new LRScheduler[] {new LinearLR(o, 0.01, 1.0, 10),
                new CosineAnnealingLR(o, 90, 0)}, new int[] {10});
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static void compare(JsonNode expected, List<Double> lrs, List<Double> momenta, String name) {
        Fixtures.assertClose(java.util.Arrays.copyOf(Fixtures.doubles(expected.get("lr")), lrs.size()), lrs.stream().mapToDouble(Double::doubleValue).toArray(), 1e-12,
                name + " lr");
        Fixtures.assertClose(java.util.Arrays.copyOf(Fixtures.doubles(expected.get("momentum")), momenta.size()), momenta.stream().mapToDouble(Double::doubleValue).toArray(),
                1e-12, name + " momentum");
    }

    @TestFactory
    Stream<DynamicTest> schedulesMatchTorch() {
        JsonNode schedules = Fixtures.root().get("schedules");
        List<DynamicTest> tests = new ArrayList<>();
        schedules.fieldNames().forEachRemaining(name -> tests.add(DynamicTest.dynamicTest(name, () -> {
            SGD o = optimizer();
            ParamGroup group = o.paramGroups().get(0);
            List<Double> lrs = new ArrayList<>();
            List<Double> momenta = new ArrayList<>();
            Function<Integer, Void> record = i -> {
                lrs.add(group.lr());
                momenta.add(group.getDouble("momentum"));
                return null;
            };
            if (name.equals("plateau")) {
                ReduceLROnPlateau plateau = new ReduceLROnPlateau(o, ReduceLROnPlateau.Mode.MIN, 0.5, 5, 1e-3,
                        ReduceLROnPlateau.ThresholdMode.REL, 2, 0.001, 1e-8);
                double[] metrics = Fixtures.doubles(Fixtures.root().get("plateau_metrics"));
                record.apply(0);
                for (double metric : metrics) {
                    plateau.step(metric);
                    record.apply(0);
                }
            } else {
                LRScheduler schedule = make(name, o);
                record.apply(0);
                // a one-cycle schedule of 100 steps has 100 rates; PyTorch extrapolates a 101st, Descent refuses it
                int steps = name.startsWith("one_cycle") ? 99 : 100;
                for (int i = 0; i < steps; i++) {
                    schedule.step();
                    record.apply(0);
                }
            }
            compare(schedules.get(name), lrs, momenta, name);
        })));
        assertEquals(12, tests.size());
        return tests.stream();
    }

    @Test
    void inverseTimeDecaySatisfiesTheRobbinsMonroConditionsNumerically() {
        SGD o = optimizer();
        InverseTimeDecayLR schedule = new InverseTimeDecayLR(o, 1.0);
        double sum = 0;
        double sumOfSquares = 0;
        for (int t = 0; t < 1_000_000; t++) {
            double lr = o.paramGroups().get(0).lr();
            assertEquals(0.1 / (1 + t), lr, 1e-15 * lr);
            sum += lr;
            sumOfSquares += lr * lr;
            schedule.step();
        }
        // sum grows like 0.1 ln t (unbounded); the sum of squares converges to 0.01 * pi^2 / 6
        assertTrue(sum > 0.1 * Math.log(1_000_000), "sum " + sum);
        assertEquals(0.01 * Math.PI * Math.PI / 6, sumOfSquares, 1e-7);
    }

    @Test
    void badScheduleArgumentsAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> new StepLR(optimizer(), 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new LinearLR(optimizer(), 0, 1, 10));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(optimizer(), 0, 0));
        IllegalArgumentException momentum = assertThrows(IllegalArgumentException.class,
                () -> new OneCycleLR(new Adagrad(List.of(Tensor.zeros(1).requiresGrad(true)), Adagrad.options()), 1, 10));
        assertEquals("OneCycleLR: cycleMomentum needs an optimizer with momentum or betas; Adagrad has neither", momentum.getMessage());
        OneCycleLR twoSteps = new OneCycleLR(optimizer(), 1, 2);
        twoSteps.step();
        assertThrows(IllegalStateException.class, twoSteps::step);
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau(optimizer(), ReduceLROnPlateau.Mode.MIN, 1.5, 1, 0,
                ReduceLROnPlateau.ThresholdMode.ABS, 0, 0, 0));
    }
}
