package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.optim.leastsquares.LevenbergMarquardt;
import dev.descent.optim.secondorder.LBFGS;
import dev.descent.optim.secondorder.QuasiNewtonOptimizer;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The contract's bad inputs, for every method that takes a loss closure: each is one
 * {@link IllegalArgumentException} that names the optimizer, what it got and what it expected.
 */
class ClosureContractTest {
    private static final List<String> LOSS_METHODS = List.of("sgd:lr=0.1", "adam", "nesterovrmsprop", "lbfgs", "bfgs", "newton", "newtoncg");

    private static Tensor parameter() {
        return Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
    }

    private static String refusal(Optimizer optimizer, LossClosure closure) {
        return assertThrows(IllegalArgumentException.class, () -> optimizer.step(closure), optimizer.name()).getMessage();
    }

    /**
     * For every method that takes a loss closure: a fresh optimizer on a fresh parameter x, the
     * closure {@code closure} makes from them, and {@code check} of the message it is refused with.
     */
    private static void forEachRefusal(BiFunction<Optimizer, Tensor, LossClosure> closure, BiConsumer<Optimizer, String> check) {
        for (String spec : LOSS_METHODS) {
            Tensor x = parameter();
            Optimizer optimizer = Optimizers.create(spec, List.of(x));
            check.accept(optimizer, refusal(optimizer, closure.apply(optimizer, x)));
        }
    }

    @Test
    void aClosureThatReturnsNoLossIsRefused() {
        forEachRefusal((optimizer, x) -> () -> {
            optimizer.zeroGrad();
            x.square().sum().backward();
            return null;
        }, (optimizer, message) -> assertTrue(message.startsWith(optimizer.name() + ": the closure returned no loss"), message));
    }

    @Test
    void aClosureThatForgetsBackwardIsRefused() {
        forEachRefusal((optimizer, x) -> () -> {
            optimizer.zeroGrad();
            return x.square().sum();
        }, (optimizer, message) -> assertEquals(optimizer.name() + ": after the closure no parameter has a gradient; the closure must call"
                + " loss.backward() before returning the loss", message));
    }

    @Test
    void aNonScalarLossIsRefusedWithItsShape() {
        forEachRefusal((optimizer, x) -> () -> {
            optimizer.zeroGrad();
            Tensor squares = x.square();
            squares.sum().backward();
            return squares;
        }, (optimizer, message) -> assertEquals(optimizer.name()
                + ": the closure returned a loss of shape [2]; expected a scalar (one element)", message));
    }

    @Test
    void unknownHyperparametersAndNegativeRatesAreRefusedByName() {
        Tensor x = parameter();
        for (String name : Optimizers.names()) {
            String owner = Optimizers.hyperparameters(name).owner();
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> Optimizers.create(name + ":lr=0.1,colour=3", List.of(x)));
            assertTrue(unknown.getMessage().startsWith(owner + ": unknown hyperparameter '"), unknown.getMessage());
            if (Optimizers.hyperparameters(name).names().contains("lr")) {
                IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                        () -> Optimizers.create(name + ":lr=-0.5", List.of(x)));
                assertTrue(negative.getMessage().equals(owner + ": invalid lr -0.5 (expected >= 0)")
                        || negative.getMessage().equals(owner + ": invalid lr -0.5 (expected > 0)"), negative.getMessage());
            }
        }
        IllegalArgumentException integer = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("lbfgs:historySize=2.5", List.of(x)));
        assertEquals("LBFGS: hyperparameter 'historySize' expects an integer, got 2.5", integer.getMessage());
        assertEquals(Integer.valueOf(7), Optimizers.create("lbfgs:maxIter=7", List.of(x)).paramGroups().get(0).get(QuasiNewtonOptimizer.MAX_ITER));
    }

    @Test
    void aLeastSquaresClosureThatReturnsNothingIsRefused() {
        Tensor x = Tensor.scalar(DType.FLOAT64, 1).requiresGrad(true);
        Optimizer lm = Optimizers.create("lm", List.of(x));
        String message = refusal(lm, () -> null);
        assertTrue(message.startsWith("LevenbergMarquardt: the closure returned no residuals"), message);
    }

    @Test
    void everyHyperparameterHasAHelpLineFromItsDeclaration() {
        StringBuilder lines = new StringBuilder();
        for (String name : Optimizers.names()) {
            assertTrue(!Optimizers.hyperparameters(name).help().isEmpty(), name);
            Optimizers.hyperparameters(name).help().forEach(line -> lines.append(line).append('\n'));
        }
        String help = lines.toString();
        assertTrue(help.contains("historySize (an integer, >= 1, default 100): curvature pairs kept"), help);
        assertTrue(help.contains("betas (a pair a/b, 0 <= beta < 1, default 0.9/0.999): "), help);
    }
}
