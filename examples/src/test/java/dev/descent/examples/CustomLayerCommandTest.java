package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CustomLayerCommandTest {
    @Test
    void theResidualBlocksGradientMatchesFiniteDifferencesOnRandomShapes() {
        Generator random = new Generator(11);
        for (int trial = 0; trial < 3; trial++) {
            int channels = 1 + random.nextInt(3);
            CustomLayerCommand.ResidualBlock block = new CustomLayerCommand.ResidualBlock(channels, DType.FLOAT64, new Generator(trial));
            int[] shape = {2 + random.nextInt(2), channels, 3 + random.nextInt(3), 3 + random.nextInt(3)};
            // a transposed view, so the block also meets a non-contiguous input
            Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, random, shape[0], shape[1], shape[3], shape[2]).transpose(2, 3))
                    .requiresGrad(true);
            GradCheck.Result result = GradCheck.check(in -> block.forward(in[0]), x);
            assertTrue(result.passed(), result.toString());
        }
    }

    @Test
    void withTheSecondConvolutionAtZeroTheBlockIsTheRectifiedInput() {
        CustomLayerCommand.ResidualBlock block = new CustomLayerCommand.ResidualBlock(3, DType.FLOAT64, new Generator(2));
        block.namedParameters().get("conv2.weight").data().fill(0);
        NDArray x = NDArray.randn(DType.FLOAT64, new Generator(3), 4, 3, 5, 6);
        NDArray y = block.forward(Tensor.of(x)).data();
        assertArrayEquals(x.relu().toDoubleArray(), y.toDoubleArray(), 0);
        assertArrayEquals(new int[] {4, 3, 5, 6}, y.shape());
    }

    @Test
    void theConvolutionalModelWithTheCustomBlockTrainsOnMnist() {
        CommandRun run = CommandRun.of("custom-layer", "--model", "cnn", "--limit", "2048", "--threads", "2");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("ResidualBlock"), run.out());
        Matcher accuracy = Pattern.compile("test accuracy ([0-9.]+)%").matcher(run.out());
        assertTrue(accuracy.find(), run.out());
        assertTrue(Double.parseDouble(accuracy.group(1)) > 50, run.out());
    }
}
