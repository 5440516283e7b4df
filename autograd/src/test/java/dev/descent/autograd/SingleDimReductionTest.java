package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The {@code (int dim, boolean keepDim)} reductions are their {@code (int[] dims, ..., boolean keepDim)} forms. */
class SingleDimReductionTest {

    private record Pair(String name, BiFunction<Integer, Boolean, Tensor> single, BiFunction<int[], Boolean, Tensor> array) {
    }

    @Test
    void singleDimOverloadsEqualTheArrayForms() {
        Tensor x = Tensor.randn(DType.FLOAT64, new Generator(21), 2, 3, 4);
        Pair[] pairs = {
            new Pair("sum", x::sum, x::sum),
            new Pair("mean", x::mean, x::mean),
            new Pair("max", x::max, x::max),
            new Pair("min", x::min, x::min),
            new Pair("var", x::var, (dims, keep) -> x.var(dims, 1, keep)),
            new Pair("std", x::std, (dims, keep) -> x.std(dims, 1, keep)),
            new Pair("logSumExp", x::logSumExp, x::logSumExp),
            new Pair("norm 1", (dim, keep) -> x.norm(1, dim, keep), (dims, keep) -> x.norm(1, dims, keep)),
            new Pair("norm 2", (dim, keep) -> x.norm(2, dim, keep), (dims, keep) -> x.norm(2, dims, keep)),
            new Pair("norm 3", (dim, keep) -> x.norm(3, dim, keep), (dims, keep) -> x.norm(3, dims, keep)),
            new Pair("norm inf", (dim, keep) -> x.norm(Double.POSITIVE_INFINITY, dim, keep),
                    (dims, keep) -> x.norm(Double.POSITIVE_INFINITY, dims, keep)),
        };
        for (Pair pair : pairs) {
            for (int dim = -3; dim < 3; dim++) {
                for (boolean keepDim : new boolean[] {false, true}) {
                    String what = pair.name() + "(" + dim + ", " + keepDim + ")";
                    Tensor single = pair.single().apply(dim, keepDim);
                    Tensor array = pair.array().apply(new int[] {dim}, keepDim);
                    assertArrayEquals(array.shape(), single.shape(), what);
                    assertEquals(keepDim ? 3 : 2, single.rank(), what);
                    if (keepDim) {
                        assertEquals(1, single.shape(Math.floorMod(dim, 3)), what);
                    }
                    assertEquals(array.data(), single.data(), what);
                }
            }
        }
    }

    @Test
    void pyTorchStyleSumKeepsTheDimension() {
        Tensor x = Tensor.of(NDArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertArrayEquals(new int[] {2, 1}, x.sum(1, true).shape());
        assertArrayEquals(new double[] {6, 15}, x.sum(1, true).data().toDoubleArray(), 0);
        assertArrayEquals(new int[] {1, 3}, x.mean(-2, true).shape());
        assertArrayEquals(new double[] {2.5, 3.5, 4.5}, x.mean(-2, true).data().toDoubleArray(), 0);
        assertArrayEquals(new int[] {2}, x.max(-1, false).shape());
    }

    @Test
    void singleDimOverloadsAreDifferentiable() {
        Tensor x = Tensor.randn(DType.FLOAT64, new Generator(5), 3, 4).requiresGrad(true);
        GradCheck.Result result = GradCheck.check(in -> in[0].sum(-1, true).mul(in[0].std(0, true)).add(in[0].logSumExp(1, true)), x);
        assertTrue(result.passed(), result.toString());
    }
}
