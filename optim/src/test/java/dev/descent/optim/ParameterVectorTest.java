package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterVectorTest {
    @Test
    void parameterVectorGathersScattersAndSplitsInOrder() {
        Generator gen = new Generator(9);
        Tensor w = Tensor.of(NDArray.randn(DType.FLOAT32, gen, 3, 2)).requiresGrad(true);
        Tensor b = Tensor.of(NDArray.randn(DType.FLOAT64, gen, 2)).requiresGrad(true);
        ParameterVector theta = ParameterVector.of(List.of(w, b));
        assertEquals(8, theta.size());
        assertEquals(6, theta.offset(1));
        double[] values = theta.values();
        assertArrayEquals(w.data().toDoubleArray(), java.util.Arrays.copyOfRange(values, 0, 6), 0);
        assertArrayEquals(b.data().toDoubleArray(), java.util.Arrays.copyOfRange(values, 6, 8), 0);
        assertArrayEquals(new int[] {3, 2}, theta.views().get(0).shape());
        assertArrayEquals(w.data().toDoubleArray(), theta.views().get(0).toDoubleArray(), 0, "views see the gathered vector");
        double[] next = new double[8];
        for (int i = 0; i < 8; i++) {
            next[i] = i + 0.5;
        }
        theta.set(next);
        assertArrayEquals(new double[] {0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, w.data().toDoubleArray(), 0, "written back to the model");
        assertEquals(DType.FLOAT32, w.dtype(), "in the parameter's own dtype");
        assertArrayEquals(new double[] {6.5, 7.5}, b.data().toDoubleArray(), 0);
        theta.add(2, new double[] {1, 0, 0, 0, 0, 0, 0, -1});
        assertEquals(2.5, w.data().toDoubleArray()[0], 0);
        assertEquals(5.5, b.data().toDoubleArray()[1], 0);
        w.mul(b.sum()).sum().backward();
        double[] gradients = theta.gradients();
        assertEquals(b.data().sum().item(), gradients[0], 1e-6);
        assertEquals(w.data().sum().item(), gradients[6], 1e-5);
        Tensor[] parts = theta.split(next);
        assertArrayEquals(new int[] {3, 2}, parts[0].shape());
        assertArrayEquals(next, theta.concatenate(parts), 0);
        assertThrows(IllegalArgumentException.class, () -> theta.set(new double[7]));
        assertThrows(IllegalArgumentException.class, () -> ParameterVector.of(List.of(w, w)));
        assertThrows(IllegalArgumentException.class, () -> ParameterVector.of(List.of(Tensor.of(new int[] {1}, 1))));
    }
}
