package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Tensor;
import dev.descent.autograd.TensorFunction;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

/** GradCheck in float64 for every layer (input and parameters) and every loss. */
class LayerGradCheckTest {
    private final Generator g = new Generator(99);

    private Tensor input(int... shape) {
        return Tensor.randn(DType.FLOAT64, g, shape).requiresGrad(true);
    }

    /** Checks the gradient with respect to the input and every parameter of {@code module}. */
    private static void checkModule(String what, Module module, Tensor x) {
        Tensor[] leaves = new Tensor[1 + module.parameters().size()];
        leaves[0] = x;
        for (int i = 0; i < module.parameters().size(); i++) {
            leaves[i + 1] = module.parameters().get(i);
        }
        GradCheck.Result result = GradCheck.check(in -> module.forward(in[0]), leaves);
        assertTrue(result.passed(), what + ": " + result);
    }

    private static void checkFunction(String what, TensorFunction f, Tensor... inputs) {
        GradCheck.Result result = GradCheck.check(f, inputs);
        assertTrue(result.passed(), what + ": " + result);
    }

    @Test
    void layers() {
        checkModule("Linear", new Linear(4, 3, true, DType.FLOAT64, g), input(5, 4));
        Linear fused = new Linear(4, 3, true, DType.FLOAT64, g);
        GradCheck.Result second = GradCheck.checkSecondOrder(in -> fused.forward(in[0]).tanh(), input(5, 4), fused.parameters().get(0),
                fused.parameters().get(1));
        assertTrue(second.passed(), "Linear (one op for matrices), second order: " + second);
        checkModule("Linear without bias on a matrix", new Linear(4, 2, false, DType.FLOAT64, g), input(3, 4));
        checkModule("Linear without bias on a batch of sequences", new Linear(4, 2, false, DType.FLOAT64, g), input(2, 3, 4));
        BatchNorm1d bn = new BatchNorm1d(3, 1e-5, 0.1, true, true, DType.FLOAT64);
        Init.normal(bn.weight(), 1, 0.5, g);
        checkModule("BatchNorm1d training [N, C]", bn, input(6, 3));
        checkModule("BatchNorm1d training [N, C, L]", bn, input(4, 3, 2));
        // the fused op's backward, recorded with createGraph, differentiated again
        GradCheck.Result bnSecond = GradCheck.checkSecondOrder(in -> bn.forward(in[0]).tanh(), input(5, 3), bn.weight(), bn.bias());
        assertTrue(bnSecond.passed(), "BatchNorm1d training, second order: " + bnSecond);
        // that check differentiates the recorded backward; its values must be the fused backward's
        Tensor bnInput = input(5, 3);
        Tensor outputWeights = Tensor.randn(DType.FLOAT64, g, 5, 3);
        Tensor[] leaves = {bnInput, bn.weight(), bn.bias()};
        Tensor[] recorded = Autograd.grad(new Tensor[] {bn.forward(bnInput)}, leaves, new Tensor[] {outputWeights}, true, false);
        Tensor[] fusedGrads = Autograd.grad(new Tensor[] {bn.forward(bnInput)}, leaves, new Tensor[] {outputWeights}, false, false);
        for (int i = 0; i < leaves.length; i++) {
            assertTrue(recorded[i].data().allClose(fusedGrads[i].data(), 1e-12, 1e-12), "BatchNorm1d recorded backward, gradient " + i);
        }
        bn.eval();
        checkModule("BatchNorm1d eval", bn, input(4, 3));
        checkModule("LayerNorm", new LayerNorm(new int[] {4}, 1e-5, true, DType.FLOAT64), input(3, 4));
        LayerNorm twoDims = new LayerNorm(new int[] {2, 3}, 1e-5, true, DType.FLOAT64);
        Init.normal(twoDims.parameters().get(0), 0, 1, g);
        checkModule("LayerNorm over two dimensions", twoDims, input(2, 2, 3));
        checkModule("WeightNorm", new WeightNorm(new Linear(4, 3, true, DType.FLOAT64, g)), input(5, 4));
        checkModule("Sequential", new Sequential(new Linear(4, 5, true, DType.FLOAT64, g), new Tanh(),
                new Linear(5, 2, true, DType.FLOAT64, g), new LogSoftmax(1)), input(3, 4));
        Dropout dropout = new Dropout(0.3, new Generator(5));
        checkModule("Dropout (mask fixed per call by a fresh generator)", new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return new Dropout(0.3, new Generator(5)).forward(x);
            }
        }, input(4, 5));
        dropout.eval();
        checkModule("Dropout eval", dropout, input(3));
    }

    @Test
    void activations() {
        Tensor x = Tensor.of(NDArray.of(new double[] {-2.1, -0.6, -0.1, 0.2, 0.7, 1.9, 3.3, -4.0}, 2, 4)).requiresGrad(true);
        checkModule("ReLU", new ReLU(), x);
        checkModule("LeakyReLU", new LeakyReLU(0.2), x);
        checkModule("Sigmoid", new Sigmoid(), x);
        checkModule("Tanh", new Tanh(), x);
        checkModule("GELU", new GELU(), x);
        checkModule("Softplus", new Softplus(2, 20), x);
        checkModule("Softmax", new Softmax(1), x);
        checkModule("LogSoftmax", new LogSoftmax(0), x);
        checkModule("Flatten", new Flatten(), input(2, 3, 2));
        checkModule("Identity", new Identity(), x);
    }

    @Test
    void losses() {
        Tensor prediction = input(3, 4);
        Tensor target = Tensor.randn(DType.FLOAT64, g, 3, 4);
        Tensor labels = Tensor.of(new int[] {2, 0, 3});
        NDArray weights = NDArray.of(new double[] {0.5, 1, 2, 1.5});
        for (Reduction reduction : Reduction.values()) {
            checkFunction("MSE " + reduction, in -> Losses.mse(in[0], target, reduction), prediction);
            checkFunction("L1 " + reduction, in -> Losses.l1(in[0], target, reduction), prediction);
            checkFunction("Huber " + reduction, in -> Losses.huber(in[0], target, 0.5, reduction), prediction);
            checkFunction("cross-entropy " + reduction,
                    in -> Losses.crossEntropy(in[0], labels, weights, 0.1, -100, reduction), prediction);
            // no weights, no smoothing: the fused softmax cross-entropy op, with an ignored row
            Tensor withIgnored = Tensor.of(new int[] {2, -100, 3});
            checkFunction("fused cross-entropy " + reduction,
                    in -> Losses.crossEntropy(in[0], withIgnored, null, 0, -100, reduction), prediction);
            GradCheck.Result second = GradCheck.checkSecondOrder(
                    in -> Losses.crossEntropy(in[0].mul(in[0]), withIgnored, null, 0, -100, reduction), prediction);
            assertTrue(second.passed(), "fused cross-entropy, second order, " + reduction + ": " + second);
            checkFunction("NLL " + reduction, in -> Losses.nll(in[0].logSoftmax(1), labels, weights, -100, reduction), prediction);
            Tensor binary = Tensor.of(NDArray.bernoulli(0.5, g, 3, 4).astype(DType.FLOAT64));
            checkFunction("BCE " + reduction, in -> Losses.binaryCrossEntropy(in[0].sigmoid(), binary, reduction), prediction);
            checkFunction("BCE with logits " + reduction, in -> Losses.binaryCrossEntropyWithLogits(in[0].mul(5), binary,
                    NDArray.of(new double[] {1, 2, 0.5, 3}), reduction), prediction);
        }
    }
}
