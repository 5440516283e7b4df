package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.optim.firstorder.Adadelta;
import dev.descent.optim.firstorder.Adagrad;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.AdamW;
import dev.descent.optim.firstorder.NAdam;
import dev.descent.optim.firstorder.NesterovRMSprop;
import dev.descent.optim.firstorder.RMSprop;
import dev.descent.optim.firstorder.SGD;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    /**
     * Algorithm 8.6 by hand on f(theta) = theta^2 / 2 (so g = theta), from theta = 1, v = 0, r = 0,
     * with epsilon = 0.1, rho = 0.5, alpha = 0.5, delta = 0:
     * step 1: interim 1, g = 1, r = 0.5, v = -0.1 / sqrt(0.5) = -0.14142136, theta = 0.85857864;
     * step 2: interim 0.85857864 - 0.07071068 = 0.78786797, r = 0.25 + 0.5 * 0.78786797^2 = 0.56036797,
     *         v = -0.07071068 - 0.1 * 0.78786797 / sqrt(0.56036797) = -0.17595939, theta = 0.68261925.
     */
    @Test
    void nesterovRmspropFollowsAlgorithm86() {
        Tensor theta = Tensor.of(NDArray.of(new double[] {1})).requiresGrad(true);
        NesterovRMSprop optimizer = new NesterovRMSprop(List.of(theta),
                NesterovRMSprop.options().lr(0.1).rho(0.5).momentum(0.5).eps(0));
        double[] seen = new double[2];
        int[] calls = {0};
        LossClosure closure = () -> {
            optimizer.zeroGrad();
            seen[calls[0]++] = theta.item();
            Tensor loss = theta.square().mul(0.5).sum();
            loss.backward();
            return loss;
        };
        optimizer.step(closure);
        assertEquals(0.8585786437626905, theta.item(), 1e-15);
        optimizer.step(closure);
        assertArrayEquals(new double[] {1.0, 0.7878679656440357}, seen, 1e-15, "the gradient is taken at the interim point");
        assertEquals(0.6826192529765348, theta.item(), 1e-15);
        IllegalStateException noClosure = assertThrows(IllegalStateException.class, optimizer::step);
        assertTrue(noClosure.getMessage().startsWith("NesterovRMSprop needs step(closure)"), noClosure.getMessage());
    }

    @Test
    void aRestoredOptimizerContinuesBitForBit() {
        for (String name : List.of("sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax", "nadam", "radam")) {
            JsonNode c = findCase(name);
            TrajectoryTest.Problem uninterrupted = TrajectoryTest.mlp(c.get("start"));
            Optimizer first = TrajectoryTest.create(name, c.get("options"), uninterrupted.params());
            TrajectoryTest.Problem resumed = TrajectoryTest.mlp(c.get("start"));
            Optimizer second = TrajectoryTest.create(name, c.get("options"), resumed.params());
            for (int step = 0; step < 10; step++) {
                advance(first, uninterrupted.loss());
                advance(second, resumed.loss());
            }
            OptimizerState snapshot = second.stateDict();
            // a fresh optimizer over the same parameters continues from the snapshot
            Optimizer fresh = TrajectoryTest.create(name, c.get("options"), resumed.params());
            fresh.loadStateDict(snapshot);
            for (int step = 0; step < 10; step++) {
                advance(first, uninterrupted.loss());
                advance(fresh, resumed.loss());
            }
            assertArrayEquals(TrajectoryTest.flatten(uninterrupted.params()), TrajectoryTest.flatten(resumed.params()), 0, name);
        }
    }

    private static JsonNode findCase(String name) {
        for (JsonNode c : Fixtures.root().get("cases")) {
            if (c.get("optimizer").asText().equals(name) && c.get("problem").asText().equals("mlp") && c.get("options").size() > 1) {
                return c;
            }
        }
        throw new IllegalStateException(name);
    }

    private static void advance(Optimizer optimizer, Supplier<Tensor> loss) {
        optimizer.zeroGrad();
        loss.get().backward();
        optimizer.step();
    }

    @Test
    void invalidHyperparametersAreErrorsThatNameThem() {
        List<Tensor> p = List.of(Tensor.zeros(2).requiresGrad(true));
        assertEquals("SGD: lr is required (SGD.options().lr(...))",
                assertThrows(IllegalArgumentException.class, () -> new SGD(p, SGD.options())).getMessage());
        assertEquals("SGD: invalid lr -0.1 (expected >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new SGD(p, SGD.options().lr(-0.1))).getMessage());
        assertEquals("SGD: nesterov requires momentum > 0 and dampening = 0, got momentum 0.0 and dampening 0.0",
                assertThrows(IllegalArgumentException.class, () -> new SGD(p, SGD.options().lr(0.1).nesterov(true))).getMessage());
        assertEquals("Adam: invalid betas[1] 1.0 (expected 0 <= beta < 1)",
                assertThrows(IllegalArgumentException.class, () -> new Adam(p, Adam.options().betas(0.9, 1.0))).getMessage());
        assertEquals("Adam: invalid eps -1.0 (expected >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new Adam(p, Adam.options().eps(-1))).getMessage());
        assertEquals("Adadelta: invalid rho 1.5 (expected 0 <= rho <= 1)",
                assertThrows(IllegalArgumentException.class, () -> new Adadelta(p, Adadelta.options().rho(1.5))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RMSprop(p, RMSprop.options().alpha(-1)));
        assertThrows(IllegalArgumentException.class, () -> new Adagrad(p, Adagrad.options().lrDecay(-1)));
        assertThrows(IllegalArgumentException.class, () -> new NAdam(p, NAdam.options().momentumDecay(-1)));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(p, AdamW.options().weightDecay(-1)));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new Adam(p, Adam.options().set("momentum", 0.9)));
        assertEquals("Adam: unknown hyperparameter 'momentum'; valid: [lr, betas, eps, weightDecay, amsgrad, maximize, capturable]",
                unknown.getMessage());
        Tensor computed = Tensor.zeros(2).requiresGrad(true).mul(2);
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(computed), Adam.options()));
        Tensor shared = Tensor.zeros(2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> new Adam(Adam.options(), ParamGroup.of(List.of(shared)),
                ParamGroup.of(List.of(shared))));
    }

    @Test
    void groupsHaveTheirOwnRatesAndParametersWithoutGradientsAreSkipped() {
        Tensor lower = Tensor.of(NDArray.of(new double[] {1, 1})).requiresGrad(true);
        Tensor upper = Tensor.of(NDArray.of(new double[] {1, 1})).requiresGrad(true);
        Tensor idle = Tensor.of(NDArray.of(new double[] {5})).requiresGrad(true);
        SGD sgd = new SGD(SGD.options().lr(0.1), ParamGroup.of(List.of(lower), SGD.options().lr(0.01)),
                ParamGroup.of(List.of(upper, idle)));
        Tensor loss = sgd.step(() -> {
            sgd.zeroGrad();
            Tensor l = lower.sum().add(upper.sum());
            l.backward();
            return l;
        });
        assertEquals(4, loss.item(), 0);
        assertArrayEquals(new double[] {0.99, 0.99}, lower.data().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.9, 0.9}, upper.data().toDoubleArray(), 1e-15);
        assertEquals(5, idle.item(), 0);
        sgd.paramGroups().get(1).setLr(1);
        assertEquals(1, sgd.paramGroups().get(1).lr(), 0);
        assertEquals(0.01, sgd.stateDict().paramGroups().get(0).get("lr"));
        assertEquals(List.of(1, 2), sgd.stateDict().paramGroups().get(1).get("params"));
        assertSame(lower, sgd.paramGroups().get(0).params().get(0));
        assertThrows(IllegalArgumentException.class, () -> sgd.paramGroups().get(0).setLr(-1));
    }

    @Test
    void loadStateDictChecksTheShapeOfTheOptimizer() {
        Tensor a = Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true);
        Adam adam = new Adam(List.of(a), Adam.options());
        a.sum().backward();
        adam.step();
        OptimizerState snapshot = adam.stateDict();
        Adam other = new Adam(List.of(Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true)), Adam.options());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(snapshot));
        assertTrue(shape.getMessage().startsWith("Adam.loadStateDict: 'exp_avg' of parameter 0 has shape [2]"), shape.getMessage());
        Adam two = new Adam(List.of(Tensor.zeros(2).requiresGrad(true), Tensor.zeros(2).requiresGrad(true)), Adam.options());
        assertThrows(IllegalArgumentException.class, () -> two.loadStateDict(snapshot));
    }
}
