package dev.descent.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.optim.firstorder.Adadelta;
import dev.descent.optim.firstorder.Adagrad;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.AdamW;
import dev.descent.optim.firstorder.Adamax;
import dev.descent.optim.firstorder.NAdam;
import dev.descent.optim.firstorder.RAdam;
import dev.descent.optim.firstorder.RMSprop;
import dev.descent.optim.firstorder.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every algorithm follows torch.optim's float64 trajectory for 25 steps, on the Rosenbrock
 * function and on a small MLP regression, with default and non-default hyperparameters.
 */
class TrajectoryTest {

    /** A problem: its parameters and its loss. */
    record Problem(List<Tensor> params, Supplier<Tensor> loss) {
    }

    static Problem rosenbrock(JsonNode start) {
        Tensor xy = Tensor.of(NDArray.of(Fixtures.doubles(start.get("xy")))).requiresGrad(true);
        return new Problem(List.of(xy), () -> {
            Tensor x = xy.select(0, 0);
            Tensor y = xy.select(0, 1);
            return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
        });
    }

    static Problem mlp(JsonNode start) {
        JsonNode data = Fixtures.root().get("mlp");
        Tensor x = Tensor.of(NDArray.of(Fixtures.doubles(data.get("x")), 8, 3));
        Tensor y = Tensor.of(NDArray.of(Fixtures.doubles(data.get("y")), 8, 1));
        Tensor w1 = Tensor.of(NDArray.of(Fixtures.doubles(start.get("w1")), 4, 3)).requiresGrad(true);
        Tensor b1 = Tensor.of(NDArray.of(Fixtures.doubles(start.get("b1")), 4)).requiresGrad(true);
        Tensor w2 = Tensor.of(NDArray.of(Fixtures.doubles(start.get("w2")), 1, 4)).requiresGrad(true);
        Tensor b2 = Tensor.of(NDArray.of(Fixtures.doubles(start.get("b2")), 1)).requiresGrad(true);
        return new Problem(List.of(w1, b1, w2, b2),
                () -> x.matmul(w1.t()).add(b1).tanh().matmul(w2.t()).add(b2).sub(y).square().mean());
    }

    /** Builds an optimizer from the fixture's name and Descent-named options. */
    static Optimizer create(String name, JsonNode options, List<Tensor> params) {
        OptimizerOptions<?> o = switch (name) {
            case "sgd" -> SGD.options();
            case "adagrad" -> Adagrad.options();
            case "rmsprop" -> RMSprop.options();
            case "adadelta" -> Adadelta.options();
            case "adam" -> Adam.options();
            case "adamw" -> AdamW.options();
            case "adamax" -> Adamax.options();
            case "nadam" -> NAdam.options();
            case "radam" -> RAdam.options();
            default -> throw new IllegalArgumentException(name);
        };
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) options::fields) {
            JsonNode v = entry.getValue();
            o.set(entry.getKey(), v.isBoolean() ? (Object) v.asBoolean() : v.isArray() ? Fixtures.doubles(v) : (Object) v.asDouble());
        }
        return switch (name) {
            case "sgd" -> new SGD(params, (SGD.Options) o);
            case "adagrad" -> new Adagrad(params, (Adagrad.Options) o);
            case "rmsprop" -> new RMSprop(params, (RMSprop.Options) o);
            case "adadelta" -> new Adadelta(params, (Adadelta.Options) o);
            case "adam" -> new Adam(params, (Adam.Options) o);
            case "adamw" -> new AdamW(params, (AdamW.Options) o);
            case "adamax" -> new Adamax(params, (Adamax.Options) o);
            case "nadam" -> new NAdam(params, (NAdam.Options) o);
            default -> new RAdam(params, (RAdam.Options) o);
        };
    }

    static double[] flatten(List<Tensor> params) {
        List<Double> values = new ArrayList<>();
        for (Tensor p : params) {
            for (double v : p.data().toDoubleArray()) {
                values.add(v);
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * NAdam element by element within 1e-12 absolute + 1e-10 relative (its mu_product once drifted
     * by about 1e-10 relative, under the scale-relative 1e-9 that every algorithm is held to).
     */
    static void assertEachWithin(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-12 + 1e-10 * Math.abs(expected[i]))) {
                org.junit.jupiter.api.Assertions.fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (1e-12 absolute + 1e-10 relative)");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyAlgorithmFollowsTorchOptim() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Fixtures.root().get("cases")) {
            String label = c.get("optimizer").asText() + " " + c.get("options") + " on " + c.get("problem").asText();
            tests.add(DynamicTest.dynamicTest(label, () -> {
                Problem problem = c.get("problem").asText().equals("mlp") ? mlp(c.get("start")) : rosenbrock(c.get("start"));
                Optimizer optimizer = create(c.get("optimizer").asText(), c.get("options"), problem.params());
                int step = 0;
                for (JsonNode expected : c.get("trajectory")) {
                    optimizer.zeroGrad();
                    problem.loss().get().backward();
                    optimizer.step();
                    Fixtures.assertClose(Fixtures.doubles(expected), flatten(problem.params()), 1e-9, label + " step " + ++step);
                    if (c.get("optimizer").asText().equals("nadam")) {
                        assertEachWithin(Fixtures.doubles(expected), flatten(problem.params()), label + " step " + step);
                    }
                }
            }));
        }
        return tests.stream();
    }
}
