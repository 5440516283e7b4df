package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostAccumulateGradHookTest {
    @Test
    void theHookSeesTheLeafsCompleteGradientOncePerBackwardAfterTheLayersNearerTheLoss() throws Exception {
        Generator generator = new Generator(2);
        Tensor first = Tensor.randn(DType.FLOAT64, generator, 3, 4).requiresGrad(true);
        Tensor second = Tensor.randn(DType.FLOAT64, generator, 4, 2).requiresGrad(true);
        Tensor x = Tensor.randn(DType.FLOAT64, generator, 5, 3);
        List<String> calls = new ArrayList<>();
        List<double[]> seen = new ArrayList<>();
        AutoCloseable firstHook = first.registerPostAccumulateGradHook(w -> {
            calls.add("first");
            seen.add(w.grad().data().toDoubleArray());
        });
        second.registerPostAccumulateGradHook(w -> calls.add("second"));
        // first is used twice: its hook must run once, with the sum of both paths
        Tensor hidden = x.matmul(first).tanh();
        Tensor loss = hidden.matmul(second).sum().add(x.matmul(first).square().sum());
        loss.backward();
        assertEquals(List.of("second", "first"), calls, "the layer nearer the loss completes first");
        assertArrayEquals(first.grad().data().toDoubleArray(), seen.get(0), 0, "the hook saw the complete gradient");

        first.zeroGrad();
        second.zeroGrad();
        x.matmul(first).matmul(second).sum().backward();
        assertEquals(List.of("second", "first", "second", "first"), calls, "once per backward");

        firstHook.close();
        x.matmul(first).matmul(second).sum().backward();
        assertEquals(List.of("second", "first", "second", "first", "second"), calls, "removed");
    }

    @Test
    void functionalGradientsDoNotRunTheHooksAndOnlyLeavesThatRequireGradTakeThem() {
        Tensor w = Tensor.of(NDArray.of(new double[] {1, 2}, 2)).requiresGrad(true);
        List<Tensor> calls = new ArrayList<>();
        w.registerPostAccumulateGradHook(calls::add);
        Autograd.grad(w.square().sum(), w);
        assertTrue(calls.isEmpty(), "Autograd.grad leaves grad() and the hooks alone");
        IllegalStateException notLeaf = assertThrows(IllegalStateException.class, () -> w.mul(2).registerPostAccumulateGradHook(t -> { }));
        assertTrue(notLeaf.getMessage().contains("is the result of an operation"), notLeaf.getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).registerPostAccumulateGradHook(t -> { }));
    }
}
