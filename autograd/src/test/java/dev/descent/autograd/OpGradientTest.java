package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

/**
 * GradCheck on every differentiable op, in float64, on seeded random shapes, with broadcasting
 * and with leaves that are non-contiguous views (transposed, sliced with a step, offset); the
 * smooth ops also pass the second-order check.
 */
class OpGradientTest {
    private final Generator g = new Generator(2024);

    /** A leaf requiring grad with values uniform in [low, high). */
    private Tensor leaf(double low, double high, int... shape) {
        NDArray values = NDArray.rand(DType.FLOAT64, g, shape).muli(high - low).addi(low);
        return Tensor.of(values).requiresGrad(true);
    }

    /** The same kind of leaf, stored transposed: a non-contiguous view. */
    private Tensor transposedLeaf(double low, double high, int rows, int columns) {
        NDArray stored = NDArray.rand(DType.FLOAT64, g, columns, rows).muli(high - low).addi(low);
        return Tensor.of(stored.t()).requiresGrad(true);
    }

    /** A leaf viewing every other column of a wider buffer, at an offset. */
    private Tensor steppedLeaf(double low, double high, int rows, int columns) {
        NDArray stored = NDArray.rand(DType.FLOAT64, g, rows + 1, 2 * columns).muli(high - low).addi(low);
        return Tensor.of(stored.narrow(0, 1, rows).slice(1, 1, 2 * columns, 2)).requiresGrad(true);
    }

    private static void first(String what, TensorFunction f, Tensor... inputs) {
        GradCheck.Result result = GradCheck.check(f, inputs);
        assertTrue(result.passed(), what + ": " + result);
    }

    private static void both(String what, TensorFunction f, Tensor... inputs) {
        first(what, f, inputs);
        GradCheck.Result second = GradCheck.checkSecondOrder(f, inputs);
        assertTrue(second.passed(), what + " (second order): " + second);
    }

    @Test
    void arithmeticWithBroadcasting() {
        for (int trial = 0; trial < 3; trial++) {
            Tensor a = leaf(-2, 2, 3, 1, 4);
            Tensor b = steppedLeaf(0.5, 2, 2, 4);
            Tensor c = transposedLeaf(0.5, 2, 2, 4);
            both("add", in -> in[0].add(in[1]), a, b);
            both("sub", in -> in[0].sub(in[1]), b, a);
            both("mul", in -> in[0].mul(in[1]), a, c);
            both("div", in -> in[0].div(in[1]), a, b);
            both("div by the broadcast one", in -> in[1].div(in[0].abs().add(1)), a, c);
            both("neg", in -> in[0].neg(), a);
            both("scalar forms", in -> in[0].add(2).sub(0.5).mul(3).div(4), c);
            both("pow scalar", in -> in[0].pow(2.5), b);
            both("pow -1 and square", in -> in[0].pow(-1).add(in[0].square()), c);
            both("pow tensor", in -> in[0].pow(in[1]), b, leaf(-1, 1, 4));
        }
    }

    @Test
    void elementwiseFunctions() {
        Tensor x = transposedLeaf(-2, 2, 3, 4);
        Tensor positive = steppedLeaf(0.2, 3, 3, 4);
        both("exp", in -> in[0].exp(), x);
        both("log", in -> in[0].log(), positive);
        both("log1p", in -> in[0].log1p(), positive);
        both("sqrt", in -> in[0].sqrt(), positive);
        both("sigmoid", in -> in[0].sigmoid(), x);
        both("tanh", in -> in[0].tanh(), x);
        both("softplus", in -> in[0].softplus(), x);
        both("gelu", in -> in[0].gelu(), x);
        both("erf", in -> in[0].erf(), x);
        both("sin", in -> in[0].sin(), x);
        both("cos", in -> in[0].cos(), x);
        both("tan", in -> in[0].tan(), x);
        both("atan", in -> in[0].atan(), x);
        // the piecewise ops are checked away from their kinks
        Tensor awayFromZero = Tensor.of(NDArray.of(new double[] {-1.5, -0.7, -0.2, 0.3, 0.9, 1.8}, 2, 3)).requiresGrad(true);
        both("abs", in -> in[0].abs(), awayFromZero);
        both("relu", in -> in[0].relu(), awayFromZero);
        both("leakyRelu", in -> in[0].leakyRelu(0.1), awayFromZero);
        both("clamp", in -> in[0].clamp(-1, 1), awayFromZero);
    }

    @Test
    void softmaxAndLogSoftmaxAlongEachDimension() {
        Tensor x = leaf(-3, 3, 2, 3, 4);
        for (int dim : new int[] {0, 1, -1}) {
            both("softmax " + dim, in -> in[0].softmax(dim), x);
            both("logSoftmax " + dim, in -> in[0].logSoftmax(dim), x);
        }
        both("softmax of a transposed view", in -> in[0].softmax(1), transposedLeaf(-3, 3, 3, 5));
    }

    @Test
    void matrixProductsInEveryNumpyCase() {
        both("matrix @ matrix", in -> in[0].matmul(in[1]), leaf(-1, 1, 3, 4), transposedLeaf(-1, 1, 4, 2));
        both("vector @ matrix", in -> in[0].matmul(in[1]), leaf(-1, 1, 4), leaf(-1, 1, 4, 3));
        both("matrix @ vector", in -> in[0].matmul(in[1]), steppedLeaf(-1, 1, 3, 4), leaf(-1, 1, 4));
        both("vector @ vector", in -> in[0].matmul(in[1]), leaf(-1, 1, 5), leaf(-1, 1, 5));
        both("batched, broadcast batch", in -> in[0].matmul(in[1]), leaf(-1, 1, 2, 3, 4), leaf(-1, 1, 4, 2));
        both("batched both", in -> in[0].matmul(in[1]), leaf(-1, 1, 2, 1, 3, 4), leaf(-1, 1, 3, 4, 2));
    }

    @Test
    void reductions() {
        Tensor x = transposedLeaf(-2, 2, 4, 5);
        both("sum all", in -> in[0].sum(), x);
        both("sum dim", in -> in[0].sum(1), x);
        both("sum dims keepDim", in -> in[0].sum(new int[] {0, 1}, true), x);
        both("mean", in -> in[0].mean(new int[] {0}, true), x);
        both("var", in -> in[0].var(new int[] {1}, 1, false), x);
        both("var population", in -> in[0].var(new int[] {0}, 0, true), x);
        both("std", in -> in[0].std(), x);
        both("logSumExp", in -> in[0].logSumExp(1), x);
        both("logSumExp keepDim", in -> in[0].logSumExp(new int[] {0, 1}, true), x);
        both("norm 2", in -> in[0].norm(2, new int[] {1}, false), x);
        both("norm 3", in -> in[0].norm(3), x);
        first("norm 1", in -> in[0].norm(1, new int[] {0}, false), x);
        first("norm inf", in -> in[0].norm(Double.POSITIVE_INFINITY), x);
        first("max dim", in -> in[0].max(1), x);
        first("min dims keepDim", in -> in[0].min(new int[] {0}, true), x);
        first("max all", in -> in[0].max(), x);
    }

    @Test
    void viewsAndJoins() {
        Tensor x = leaf(-1, 1, 2, 3, 4);
        both("reshape", in -> in[0].reshape(4, -1).mul(in[0].reshape(4, 6)), x);
        both("reshape of a transposed view", in -> in[0].reshape(-1).square(), transposedLeaf(-1, 1, 3, 4));
        both("transpose", in -> in[0].transpose(0, 2).square(), x);
        both("permute", in -> in[0].permute(2, 0, 1).exp(), x);
        both("narrow", in -> in[0].narrow(2, 1, 2).square(), x);
        both("slice with step", in -> in[0].slice(2, 0, 4, 3).square(), x);
        both("select", in -> in[0].select(1, -1).square(), x);
        both("expand", in -> in[0].expand(3, 2, 3, 4).square(), x);
        both("squeeze/unsqueeze", in -> in[0].unsqueeze(1).squeeze(1).unsqueeze(-1).square(), x);
        both("flatten and t", in -> in[0].reshape(6, 4).t().flatten().square(), x);
        Tensor y = steppedLeaf(-1, 1, 2, 4);
        both("concat", in -> Tensor.concat(0, in[0].select(0, 0), in[1], in[0].select(0, 1)).square(), x, y);
        both("stack", in -> Tensor.stack(0, in[0].select(1, 0), in[1]).square(), x, y);
        both("split", in -> in[0].split(2, 2).get(1).mul(in[0].split(new int[] {1, 3}, 2).get(0)), x);
    }

    @Test
    void indexingAndSelection() {
        Tensor x = leaf(-1, 1, 3, 4);
        NDArray index = NDArray.of(new int[] {0, 3, 3, 1, 2, 0}, 3, 2);
        both("gather", in -> in[0].gather(1, index).square(), x);
        both("gather dim 0", in -> in[0].gather(0, NDArray.of(new int[] {2, 0, 1, 1}, 1, 4)).square(), x);
        NDArray rows = NDArray.of(new int[] {2, 0, 2});
        both("indexSelect", in -> in[0].indexSelect(0, rows).square(), x);
        both("indexSelect columns of a view", in -> in[0].indexSelect(1, NDArray.of(new int[] {1, 1})).square(),
                transposedLeaf(-1, 1, 3, 4));
        Tensor source = leaf(-1, 1, 3, 2);
        both("scatterAdd", in -> in[0].scatterAdd(1, index, in[1]).square(), x, source);
        NDArray condition = NDArray.of(new int[] {1, 0, 0, 1}, 4);
        both("where with broadcasting", in -> Tensor.where(condition, in[0], in[1]).square(), x, leaf(-1, 1, 3, 1));
    }
}
