package dev.descent.nn;

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
 * conv2d and conv1d against PyTorch (tools/conv_fixtures.py): strides, int, "same" and "valid"
 * padding, dilation, groups (depthwise included), one input channel, with and without bias; the
 * output and the gradients of sum(output * r) with respect to input, weight and bias within 1e-10
 * (float64) or 1e-5 (float32) relative to the largest expected magnitude.
 */
class ConvolutionFixtureTest {

    @TestFactory
    Stream<DynamicTest> convolutionsMatchPyTorch() throws IOException {
        JsonNode root;
        try (InputStream in = ConvolutionFixtureTest.class.getResourceAsStream("/fixtures/conv_pytorch.json")) {
            assertNotNull(in, "fixtures/conv_pytorch.json is missing: run tools/conv_fixtures.py");
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " " + c.get("dtype").asText(), () -> run(c)));
        }
        assertEquals(20, tests.size(), "fixture count");
        return tests.stream();
    }

    private static void run(JsonNode c) {
        DType dtype = c.get("dtype").asText().equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
        double tolerance = dtype == DType.FLOAT64 ? 1e-10 : 1e-5;
        Tensor x = Tensor.of(PyTorchFixtureTest.array(c.get("x"), dtype)).requiresGrad(true);
        Tensor weight = Tensor.of(PyTorchFixtureTest.array(c.get("weight"), dtype)).requiresGrad(true);
        Tensor bias = c.has("bias") ? Tensor.of(PyTorchFixtureTest.array(c.get("bias"), dtype)).requiresGrad(true) : null;
        int[] stride = ints(c.get("stride"));
        int[] dilation = ints(c.get("dilation"));
        int groups = c.get("groups").asInt();
        JsonNode padding = c.get("padding");
        Tensor out;
        if (c.get("dims").asInt() == 2) {
            out = padding.isTextual()
                    ? Convolutions.conv2d(x, weight, bias, stride, padding.asText(), dilation, groups)
                    : Convolutions.conv2d(x, weight, bias, stride, ints(padding), dilation, groups);
        } else {
            out = padding.isTextual()
                    ? Convolutions.conv1d(x, weight, bias, stride[0], padding.asText(), dilation[0], groups)
                    : Convolutions.conv1d(x, weight, bias, stride[0], ints(padding)[0], dilation[0], groups);
        }
        PyTorchFixtureTest.assertMatches(PyTorchFixtureTest.array(c.get("output"), dtype), out.data(), tolerance, "output");
        out.mul(Tensor.of(PyTorchFixtureTest.array(c.get("weights"), dtype))).sum().backward();
        JsonNode grads = c.get("grads");
        PyTorchFixtureTest.assertMatches(PyTorchFixtureTest.array(grads.get("x"), dtype), x.grad().data(), tolerance, "input gradient");
        PyTorchFixtureTest.assertMatches(PyTorchFixtureTest.array(grads.get("weight"), dtype), weight.grad().data(), tolerance,
                "weight gradient");
        if (bias != null) {
            PyTorchFixtureTest.assertMatches(PyTorchFixtureTest.array(grads.get("bias"), dtype), bias.grad().data(), tolerance,
                    "bias gradient");
        }
    }

    private static int[] ints(JsonNode node) {
        int[] values = new int[node.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = node.get(i).asInt();
        }
        return values;
    }
}
