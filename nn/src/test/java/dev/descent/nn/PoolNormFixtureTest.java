package dev.descent.nn;

import static dev.descent.nn.PyTorchFixtureTest.array;
import static dev.descent.nn.PyTorchFixtureTest.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * MaxPool2d, AvgPool2d, AdaptiveAvgPool2d and BatchNorm2d against PyTorch
 * (tools/pool_norm_fixtures.py): outputs and the gradients of sum(output * r), BatchNorm2d's
 * running statistics after three training steps, its evaluation output and its state-dict names,
 * within 1e-10 (float64) or 1e-5 (float32) relative to the largest magnitude of the expected array.
 */
class PoolNormFixtureTest {

    private static JsonNode load() throws IOException {
        try (InputStream in = PoolNormFixtureTest.class.getResourceAsStream("/fixtures/pool_norm_pytorch.json")) {
            assertNotNull(in, "fixtures/pool_norm_pytorch.json is missing: run tools/pool_norm_fixtures.py");
            return new ObjectMapper().readTree(in);
        }
    }

    private static int[] ints(JsonNode node) {
        int[] values = new int[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = node.get(i).asInt();
        }
        return values;
    }

    @TestFactory
    Stream<DynamicTest> poolingAndBatchNorm2dMatchPyTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        int index = 0;
        for (JsonNode c : load().get("cases")) {
            String label = index++ + " " + c.get("name").asText() + " " + c.get("dtype").asText();
            tests.add(DynamicTest.dynamicTest(label, () -> run(c, label)));
        }
        assertEquals(42, tests.size(), "fixture count");
        return tests.stream();
    }

    private static void run(JsonNode c, String label) {
        DType dtype = c.get("dtype").asText().equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
        double tolerance = dtype == DType.FLOAT64 ? 1e-10 : 1e-5;
        Module module = switch (c.get("name").asText()) {
            case "max_pool2d" -> new MaxPool2d(ints(c.get("kernel")), ints(c.get("stride")), ints(c.get("padding")),
                    ints(c.get("dilation")), c.get("ceil_mode").asBoolean());
            case "avg_pool2d" -> new AvgPool2d(ints(c.get("kernel")), ints(c.get("stride")), ints(c.get("padding")),
                    c.get("ceil_mode").asBoolean(), c.get("count_include_pad").asBoolean());
            case "adaptive_avg_pool2d" -> new AdaptiveAvgPool2d(ints(c.get("output_size")));
            case "batch_norm2d" -> null;
            default -> throw new IllegalStateException("no Descent counterpart for fixture " + c.get("name"));
        };
        if (module == null) {
            runBatchNorm(c, dtype, tolerance, label);
            return;
        }
        Tensor x = Tensor.of(array(c.get("x"), dtype)).requiresGrad(true);
        Tensor out = module.forward(x);
        assertMatches(array(c.get("output"), dtype), out.data(), tolerance, label + " output");
        out.mul(Tensor.of(array(c.get("weights"), dtype))).sum().backward();
        assertMatches(array(c.get("grad_x"), dtype), x.grad().data(), tolerance, label + " d/dx");
    }

    /** Three training steps (outputs, gradients), the running statistics, one evaluation, the state-dict names. */
    private static void runBatchNorm(JsonNode c, DType dtype, double tolerance, String label) {
        Double momentum = c.get("momentum").isNull() ? null : c.get("momentum").asDouble();
        boolean affine = c.get("affine").asBoolean();
        BatchNorm2d bn = new BatchNorm2d(3, 1e-5, momentum, affine, true, dtype);
        List<String> names = new ArrayList<>();
        c.get("state_dict").forEach(n -> names.add(n.asText()));
        assertEquals(names, new ArrayList<>(bn.stateDict().keySet()), label + " state-dict names");
        if (affine) {
            bn.weight().data().copyFrom(array(c.get("weight"), dtype));
            bn.bias().data().copyFrom(array(c.get("bias"), dtype));
        }
        bn.train();
        int step = 0;
        for (JsonNode s : c.get("steps")) {
            String what = label + " step " + step++;
            bn.zeroGrad();
            Tensor x = Tensor.of(array(s.get("x"), dtype)).requiresGrad(true);
            Tensor out = bn.forward(x);
            assertMatches(array(s.get("output"), dtype), out.data(), tolerance, what + " output");
            out.mul(Tensor.of(array(s.get("weights"), dtype))).sum().backward();
            assertMatches(array(s.get("grad_x"), dtype), x.grad().data(), tolerance, what + " d/dx");
            if (affine) {
                assertMatches(array(s.get("grad_weight"), dtype), bn.weight().grad().data(), tolerance, what + " d/dweight");
                assertMatches(array(s.get("grad_bias"), dtype), bn.bias().grad().data(), tolerance, what + " d/dbias");
            }
        }
        assertMatches(array(c.get("running_mean"), dtype), bn.runningMean(), tolerance, label + " running_mean");
        assertMatches(array(c.get("running_var"), dtype), bn.runningVar(), tolerance, label + " running_var");
        assertEquals(c.get("num_batches_tracked").asInt(), bn.stateDict().get("num_batches_tracked").item(), 0);
        bn.eval();
        Tensor evaluated = bn.forward(Tensor.of(array(c.get("eval_x"), dtype)));
        assertMatches(array(c.get("eval_output"), dtype), evaluated.data(), tolerance, label + " eval output");
    }
}
