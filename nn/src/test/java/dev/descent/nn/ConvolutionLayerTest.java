package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Conv2d and Conv1d as layers: PyTorch's parameter names, shapes and initialization bounds,
 * output shapes for each padding mode, and one clear refusal per kind of bad argument, naming the
 * layer, the input shape and what was expected.
 */
class ConvolutionLayerTest {

    private static void assertRefused(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        }
    }

    @Test
    void parametersAreNamedShapedAndInitializedAsPyTorchDoes() {
        Conv2d conv = new Conv2d(6, 8, new int[] {3, 5}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 2, true,
                new Generator(1));
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        assertArrayEquals(new int[] {8, 3, 3, 5}, conv.weight().shape());
        assertArrayEquals(new int[] {8}, conv.bias().shape());
        double bound = 1 / Math.sqrt(3 * 3 * 5);
        for (NDArray p : new NDArray[] {conv.weight().data(), conv.bias().data()}) {
            assertTrue(p.abs().max().item() <= bound, "within 1/sqrt(fan_in)");
            assertTrue(p.abs().max().item() > bound / 2, "spread over the range");
        }
        Conv1d conv1 = new Conv1d(4, 6, 5, 1, 0, 1, 1, false, new Generator(2));
        assertEquals(List.of("weight"), List.copyOf(conv1.namedParameters().keySet()));
        assertArrayEquals(new int[] {6, 4, 5}, conv1.weight().shape());
        assertTrue(conv1.weight().data().abs().max().item() <= 1 / Math.sqrt(20));
    }

    @Test
    void outputShapesFollowEachPaddingMode() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 2, 3, 28, 27);
        assertArrayEquals(new int[] {2, 4, 26, 25}, new Conv2d(3, 4, 3).forward(x).shape());
        assertArrayEquals(new int[] {2, 4, 14, 14}, new Conv2d(3, 4, 3, 2, 1).forward(x).shape());
        Conv2d same = new Conv2d(3, 4, new int[] {4, 2}, new int[] {1, 1}, "same", new int[] {2, 1}, 1, true, new Generator(0));
        assertArrayEquals(new int[] {2, 4, 28, 27}, same.forward(x).shape());
        Conv2d valid = new Conv2d(3, 4, new int[] {4, 2}, new int[] {1, 1}, "valid", new int[] {1, 1}, 1, true, new Generator(0));
        assertArrayEquals(new int[] {2, 4, 25, 26}, valid.forward(x).shape());
        Conv1d conv1 = new Conv1d(3, 5, 4, 1, "same", 3, 1, true, new Generator(0));
        assertArrayEquals(new int[] {2, 5, 50}, conv1.forward(Tensor.zeros(DType.FLOAT32, 2, 3, 50)).shape());
        assertArrayEquals(new int[] {2, 5, 25}, new Conv1d(3, 5, 4, 2, 1, 1, 1, true, new Generator(0))
                .forward(Tensor.zeros(DType.FLOAT32, 2, 3, 50)).shape());
    }

    @Test
    void badArgumentsAreRefusedNamingTheLayerTheShapeAndWhatWasExpected() {
        Conv2d conv = new Conv2d(3, 4, 3);
        assertRefused(() -> conv.forward(Tensor.zeros(DType.FLOAT32, 3, 28, 28)), "Conv2d", "[3, 28, 28]", "4-d input [N, C, H, W]");
        assertRefused(() -> conv.forward(Tensor.zeros(DType.FLOAT32, 2, 5, 28, 28)), "Conv2d", "[2, 5, 28, 28]", "5 channels",
                "expected 3");
        assertRefused(() -> conv.forward(Tensor.zeros(DType.FLOAT32, 2, 3, 2, 28)), "Conv2d", "[2, 3, 2, 28]",
                "smaller than the kernel 3x3", "output size would be 0x26");
        Conv2d dilated = new Conv2d(3, 4, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {3, 3}, 1, true,
                new Generator(0));
        assertRefused(() -> dilated.forward(Tensor.zeros(DType.FLOAT32, 1, 3, 5, 9)), "Conv2d", "[1, 3, 5, 9]",
                "dilated kernel 7x7", "output size would be 0x2");
        assertRefused(() -> new Conv2d(4, 6, new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 4, true,
                new Generator(0)), "Conv2d", "groups 4", "inChannels 4", "outChannels 6");
        assertRefused(() -> new Conv2d(4, 6, new int[] {3, 3}, new int[] {2, 1}, "same", new int[] {1, 1}, 1, true,
                new Generator(0)), "Conv2d", "\"same\"", "stride 1", "[2, 1]");
        assertRefused(() -> new Conv1d(4, 6, 3, 2, "same", 1, 1, true, new Generator(0)), "Conv1d", "\"same\"", "stride 2");
        assertRefused(() -> new Conv1d(4, 6, 0), "Conv1d", "kernelSize must be >= 1", "[0]");
        assertRefused(() -> new Conv2d(4, 6, new int[] {3, 0}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, true,
                new Generator(0)), "Conv2d", "kernelSize must be >= 1", "[3, 0]");
        assertRefused(() -> new Conv1d(4, 6, 3, 0, 0, 1, 1, true, new Generator(0)), "Conv1d", "stride and dilation must be >= 1", "stride 0");
        assertRefused(() -> new Conv1d(4, 6, 3).forward(Tensor.zeros(DType.FLOAT32, 4, 10)), "Conv1d", "[4, 10]", "3-d input [N, C, L]");
        assertRefused(() -> new Conv1d(4, 6, 3).forward(Tensor.zeros(DType.FLOAT32, 2, 4, 2)), "Conv1d", "[2, 4, 2]",
                "smaller than the kernel");
        Tensor x = Tensor.zeros(DType.FLOAT32, 2, 4, 8, 8);
        assertRefused(() -> Convolutions.conv2d(x, Tensor.zeros(DType.FLOAT32, 6, 2, 3, 3), null, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 4), "conv2d", "groups 4", "output channels", "[6, 2, 3, 3]");
        assertRefused(() -> Convolutions.conv2d(x, Tensor.zeros(DType.FLOAT64, 6, 4, 3, 3), null), "conv2d", "FLOAT32", "FLOAT64");
        assertRefused(() -> Convolutions.conv2d(x, Tensor.zeros(DType.FLOAT32, 6, 4, 3, 3), Tensor.zeros(DType.FLOAT32, 5)), "conv2d",
                "bias of shape [6]", "[5]");
        assertRefused(() -> Convolutions.conv2d(x, Tensor.zeros(DType.FLOAT32, 6, 4, 3, 3), null, new int[] {1, 1}, "full",
                new int[] {1, 1}, 1), "conv2d", "\"same\", \"valid\"", "full");
    }
}
