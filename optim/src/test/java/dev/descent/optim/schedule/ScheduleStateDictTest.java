package dev.descent.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.firstorder.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schedule stopped after k steps and restored into a new optimizer and schedule (state
 * dicts passed through JSON, as a checkpoint file holds them) gives the same rates and momenta,
 * bit for bit, as the one that never stopped.
 */
class ScheduleStateDictTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOTAL = 100;
    /** A metric that improves, stalls, jumps and stalls again, so that ReduceLROnPlateau's counters and cooldown all move. */
    private static final double[] METRICS = metrics();

    private static double[] metrics() {
        double[] values = new double[TOTAL];
        for (int i = 0; i < TOTAL; i++) {
            values[i] = i < 20 ? 10 - i * 0.3 : i < 45 ? 4.2 + 0.01 * (i % 3) : i < 50 ? 3 - 0.1 * i / 50 : 2.9 + 0.001 * (i % 7);
        }
        return values;
    }

    private static SGD optimizer() {
        return new SGD(List.of(Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true)), SGD.options().lr(0.1).momentum(0.9));
    }

    /** One schedule of each kind, or (for "plateau") null: ReduceLROnPlateau is not an LRScheduler. */
    private static LRScheduler make(String name, Optimizer o) {
        return switch (name) {
            case "StepLR" -> new StepLR(o, 7, 0.5);
            case "MultiStepLR" -> new MultiStepLR(o, new int[] {10, 25, 25, 60}, 0.3);
            case "ExponentialLR" -> new ExponentialLR(o, 0.97);
            case "CosineAnnealingLR" -> new CosineAnnealingLR(o, 30, 0.001);
            case "CosineAnnealingWarmRestarts" -> new CosineAnnealingWarmRestarts(o, 10, 2, 0.002);
            case "LinearLR" -> new LinearLR(o, 0.1, 1.0, 20);
            case "PolynomialLR" -> new PolynomialLR(o, 80, 2.0);
            case "InverseTimeDecayLR" -> new InverseTimeDecayLR(o, 0.05);
            case "OneCycleLR" -> new OneCycleLR(o, 1.0, TOTAL);
            case "OneCycleLR three-phase" -> new OneCycleLR(o, 0.5, TOTAL, 0.25, OneCycleLR.Anneal.LINEAR, true, 0.85, 0.95, 25, 1e4, true);
            case "SequentialLR" -> new SequentialLR(o, new LRScheduler[] {new LinearLR(o, 0.01, 1.0, 10), new CosineAnnealingLR(o, 40, 0),
                new StepLR(o, 5, 0.7)}, new int[] {10, 50});
            case "ReduceLROnPlateau" -> null;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static ReduceLROnPlateau plateau(Optimizer o) {
        return new ReduceLROnPlateau(o, ReduceLROnPlateau.Mode.MIN, 0.5, 3, 1e-3, ReduceLROnPlateau.ThresholdMode.REL, 2, 0.001, 1e-8);
    }

    /** A schedule of either kind behind one interface: step i, and the state dict. */
    private record Schedule(LRScheduler scheduler, ReduceLROnPlateau plateau) {
        void step(int i) {
            if (scheduler != null) {
                scheduler.step();
            } else {
                plateau.step(METRICS[i]);
            }
        }

        Map<String, Object> stateDict() {
            return scheduler != null ? scheduler.stateDict() : plateau.stateDict();
        }

        void loadStateDict(Map<String, Object> state) {
            if (scheduler != null) {
                scheduler.loadStateDict(state);
            } else {
                plateau.loadStateDict(state);
            }
        }
    }

    private static Schedule schedule(String name, Optimizer o) {
        return name.equals("ReduceLROnPlateau") ? new Schedule(null, plateau(o)) : new Schedule(make(name, o), null);
    }

    static Stream<Arguments> schedulesAndStops() {
        List<Arguments> cases = new ArrayList<>();
        for (String name : List.of("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "LinearLR",
                "PolynomialLR", "InverseTimeDecayLR", "OneCycleLR", "OneCycleLR three-phase", "SequentialLR", "ReduceLROnPlateau")) {
            for (int k : new int[] {0, 1, 10, 25, 37, 80}) {
                cases.add(Arguments.of(name, k));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} restored after {1} steps")
    @MethodSource("schedulesAndStops")
    void aRestoredScheduleContinuesWithTheSameRates(String name, int k) throws Exception {
        // a one-cycle schedule of 100 steps has 99 steps after the one at construction
        int steps = name.startsWith("OneCycleLR") ? TOTAL - 1 : TOTAL;
        SGD uninterruptedOptimizer = optimizer();
        Schedule uninterrupted = schedule(name, uninterruptedOptimizer);
        List<Long> expected = stepAndRecord(uninterrupted, uninterruptedOptimizer, 0, steps, new ArrayList<>());

        SGD firstOptimizer = optimizer();
        Schedule first = schedule(name, firstOptimizer);
        List<Long> actual = stepAndRecord(first, firstOptimizer, 0, k, new ArrayList<>());
        OptimizerState optimizerState = firstOptimizer.stateDict();
        Map<String, Object> saved = JSON.readValue(JSON.writeValueAsString(first.stateDict()), new TypeReference<Map<String, Object>>() { });

        SGD resumedOptimizer = optimizer();
        Schedule resumed = schedule(name, resumedOptimizer);
        resumedOptimizer.loadStateDict(optimizerState);
        resumed.loadStateDict(saved);
        assertEquals(first.stateDict(), resumed.stateDict(), "the state reads back as it was written");
        stepAndRecord(resumed, resumedOptimizer, k, steps, actual);
        for (int i = 0; i < steps; i++) {
            assertEquals(expected.get(i), actual.get(i), name + ": step " + (i + 1) + " after a restore at step " + k);
        }
    }

    /**
     * Takes steps {@code from} to {@code to} (exclusive) of {@code schedule}, adding {@code o}'s
     * rate and momentum after each to {@code bits}; returns {@code bits}.
     */
    private static List<Long> stepAndRecord(Schedule schedule, Optimizer o, int from, int to, List<Long> bits) {
        for (int i = from; i < to; i++) {
            schedule.step(i);
            bits.add(rateAndMomentumBits(o));
        }
        return bits;
    }

    /** The learning rate and momentum of the first group, folded into one number that differs if either bit pattern does. */
    private static long rateAndMomentumBits(Optimizer o) {
        ParamGroup group = o.paramGroups().get(0);
        return Double.doubleToLongBits(group.lr()) * 31 + Double.doubleToLongBits(group.getDouble("momentum"));
    }

    @Test
    void aStateOfAnotherKindOrConfigurationIsRefusedByName() {
        Map<String, Object> step = new StepLR(optimizer(), 7, 0.5).stateDict();
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> new CosineAnnealingLR(optimizer(), 30, 0).loadStateDict(step));
        assertEquals("CosineAnnealingLR.loadStateDict: the state dict is of a StepLR, not a CosineAnnealingLR", kind.getMessage());
        IllegalArgumentException setting = assertThrows(IllegalArgumentException.class, () -> new StepLR(optimizer(), 8, 0.5).loadStateDict(step));
        assertEquals("StepLR.loadStateDict: the state dict is of a StepLR with stepSize 7, but this one has 8", setting.getMessage());
        step.remove("lastEpoch");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> new StepLR(optimizer(), 7, 0.5).loadStateDict(step));
        assertTrue(missing.getMessage().startsWith("StepLR.loadStateDict: the state dict has no 'lastEpoch'"), missing.getMessage());
    }

    @Test
    void aRefusedSequentialStateLeavesEveryScheduleAsItWas() {
        SGD o = optimizer();
        LRScheduler sequential = make("SequentialLR", o);
        for (int i = 0; i < 12; i++) {
            sequential.step();
        }
        Map<String, Object> before = sequential.stateDict();
        Map<String, Object> other = make("SequentialLR", optimizer()).stateDict();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> children = (List<Map<String, Object>>) other.get("schedulers");
        children.set(2, new StepLR(optimizer(), 6, 0.7).stateDict());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> sequential.loadStateDict(other));
        assertTrue(refused.getMessage().contains("StepLR with stepSize 6, but this one has 5"), refused.getMessage());
        assertEquals(before, sequential.stateDict());
    }

    @Test
    void plateauStateKeepsAnInfiniteBestThroughJson() throws Exception {
        ReduceLROnPlateau fresh = plateau(optimizer());
        String json = JSON.writeValueAsString(fresh.stateDict());
        assertTrue(json.contains("\"best\":\"Infinity\""), json);
        ReduceLROnPlateau restored = plateau(optimizer());
        restored.step(1.0);
        restored.loadStateDict(JSON.readValue(json, new TypeReference<Map<String, Object>>() { }));
        assertEquals(Double.POSITIVE_INFINITY, restored.best());
    }
}
