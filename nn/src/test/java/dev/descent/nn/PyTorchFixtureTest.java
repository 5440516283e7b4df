package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every layer and loss against fixtures from PyTorch (tools/nn_fixtures.py): the forward output
 * and the gradients of sum(output * r) with respect to the input and each parameter, within 1e-10
 * (float64) or 1e-5 (float32) relative to the largest magnitude of the expected array.
 */
class PyTorchFixtureTest {

    private static JsonNode load() throws IOException {
        try (InputStream in = PyTorchFixtureTest.class.getResourceAsStream("/fixtures/nn_pytorch.json")) {
            assertNotNull(in, "fixtures/nn_pytorch.json is missing: run tools/nn_fixtures.py");
            return new ObjectMapper().readTree(in);
        }
    }

    static NDArray array(JsonNode packed, DType dtype) {
        int[] shape = new int[packed.get("shape").size()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = packed.get("shape").get(d).asInt();
        }
        double[] data = new double[packed.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = packed.get("data").get(i).asDouble();
        }
        return NDArray.of(data).reshape(shape).astype(dtype);
    }

    static void assertMatches(NDArray expected, NDArray actual, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= tolerance * Math.max(scale, Math.abs(e[i])) + 1e-300)) {
                fail(what + ": element " + i + " expected " + e[i] + " but was " + a[i] + " (tolerance " + tolerance
                        + " relative to " + scale + ")");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> layersAndLossesMatchPyTorch() throws IOException {
        JsonNode root = load();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String label = c.get("name").asText() + " " + c.get("dtype").asText()
                    + (c.has("reduction") ? " " + c.get("reduction").asText() : "")
                    + (c.has("momentum") ? " momentum " + c.get("momentum").asText() : "");
            tests.add(DynamicTest.dynamicTest(label, () -> run(c)));
        }
        assertEquals(76, tests.size(), "fixture count");
        return tests.stream();
    }

    private static void run(JsonNode c) {
        DType dtype = c.get("dtype").asText().equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
        double tolerance = dtype == DType.FLOAT64 ? 1e-10 : 1e-5;
        String name = c.get("name").asText();
        if (name.equals("batch_norm")) {
            runBatchNorm(c, dtype, tolerance);
            return;
        }
        Tensor x = Tensor.of(array(c.get("inputs").get("x"), dtype)).requiresGrad(true);
        Map<String, NDArray> params = new HashMap<>();
        c.get("params").fields().forEachRemaining(e -> params.put(e.getKey(), array(e.getValue(), dtype)));
        Module module = module(name, c, dtype);
        Function<Tensor, Tensor> forward;
        if (module != null) {
            module.loadStateDict(params, true);
            forward = module::forward;
        } else {
            Loss loss = loss(name, c, dtype);
            Tensor target = target(c, dtype);
            forward = loss != null ? in -> loss.forward(in, target) : activation(name);
        }
        Tensor output = forward.apply(x);
        assertMatches(array(c.get("output"), dtype), output.data(), tolerance, name + " output");
        output.mul(Tensor.of(array(c.get("weights"), dtype))).sum().backward();
        assertMatches(array(c.get("grads").get("x"), dtype), x.grad().data(), tolerance, name + " d/dx");
        if (module != null) {
            module.namedParameters().forEach((key, p) ->
                    assertMatches(array(c.get("grads").get(key), dtype), p.grad().data(), tolerance, name + " d/d" + key));
        }
    }

    private static Module module(String name, JsonNode c, DType dtype) {
        Generator g = new Generator(0);
        return switch (name) {
            case "linear" -> new Linear(5, 3, true, dtype, g);
            case "layer_norm" -> new LayerNorm(new int[] {3, 4}, 1e-5, true, dtype);
            case "weight_norm" -> new WeightNorm(new Linear(5, 3, true, dtype, g));
            default -> null;
        };
    }

    private static Function<Tensor, Tensor> activation(String name) {
        return switch (name) {
            case "relu" -> new ReLU()::forward;
            case "leaky_relu" -> new LeakyReLU(0.1)::forward;
            case "sigmoid" -> new Sigmoid()::forward;
            case "tanh" -> new Tanh()::forward;
            case "gelu" -> new GELU()::forward;
            case "softplus" -> new Softplus(1.5, 5)::forward;
            case "softmax" -> new Softmax(1)::forward;
            case "log_softmax" -> new LogSoftmax(0)::forward;
            default -> throw new IllegalStateException("no Descent counterpart for fixture " + name);
        };
    }

    private static Tensor target(JsonNode c, DType dtype) {
        if (c.has("targets")) {
            int[] t = new int[c.get("targets").size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = c.get("targets").get(i).asInt();
            }
            return Tensor.of(t);
        }
        return c.has("target") ? Tensor.of(array(c.get("target"), dtype)) : null;
    }

    private static Loss loss(String name, JsonNode c, DType dtype) {
        Loss loss = switch (name) {
            case "cross_entropy" -> new CrossEntropyLoss();
            case "cross_entropy_weighted_smoothed", "cross_entropy_ignore" -> new CrossEntropyLoss()
                    .weight(classWeights(c, dtype)).labelSmoothing(c.get("label_smoothing").asDouble());
            case "nll" -> new NLLLoss().weight(classWeights(c, dtype));
            case "mse" -> new MSELoss();
            case "l1" -> new L1Loss();
            case "huber" -> new HuberLoss().delta(c.get("delta").asDouble());
            case "bce" -> new BCELoss();
            case "bce_with_logits" -> new BCEWithLogitsLoss().positiveWeight(array(c.get("pos_weight"), dtype));
            default -> null;
        };
        if (loss != null) {
            loss.reduction(Reduction.valueOf(c.get("reduction").asText().toUpperCase()));
        }
        return loss;
    }

    private static NDArray classWeights(JsonNode c, DType dtype) {
        double[] w = new double[c.get("class_weights").size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = c.get("class_weights").get(i).asDouble();
        }
        return NDArray.of(w).astype(dtype);
    }

    /** Three training steps (outputs, gradients, running statistics), then one evaluation. */
    private static void runBatchNorm(JsonNode c, DType dtype, double tolerance) {
        Double momentum = c.get("momentum").isNull() ? null : c.get("momentum").asDouble();
        BatchNorm1d bn = new BatchNorm1d(3, 1e-5, momentum, true, true, dtype);
        bn.weight().data().copyFrom(array(c.get("weight"), dtype));
        bn.bias().data().copyFrom(array(c.get("bias"), dtype));
        bn.train();
        int step = 0;
        for (JsonNode s : c.get("steps")) {
            String what = "batch_norm step " + step++;
            bn.zeroGrad();
            Tensor x = Tensor.of(array(s.get("x"), dtype)).requiresGrad(true);
            Tensor out = bn.forward(x);
            assertMatches(array(s.get("output"), dtype), out.data(), tolerance, what + " output");
            out.mul(Tensor.of(array(s.get("weights"), dtype))).sum().backward();
            assertMatches(array(s.get("grad_x"), dtype), x.grad().data(), tolerance, what + " d/dx");
            assertMatches(array(s.get("grad_weight"), dtype), bn.weight().grad().data(), tolerance, what + " d/dweight");
            assertMatches(array(s.get("grad_bias"), dtype), bn.bias().grad().data(), tolerance, what + " d/dbias");
        }
        assertMatches(array(c.get("running_mean"), dtype), bn.runningMean(), tolerance, "running_mean");
        assertMatches(array(c.get("running_var"), dtype), bn.runningVar(), tolerance, "running_var");
        assertEquals(3, bn.stateDict().get("num_batches_tracked").item(), 0);
        bn.eval();
        Tensor evaluated = bn.forward(Tensor.of(array(c.get("eval_x"), dtype)));
        assertMatches(array(c.get("eval_output"), dtype), evaluated.data(), tolerance, "batch_norm eval output");
    }
}
