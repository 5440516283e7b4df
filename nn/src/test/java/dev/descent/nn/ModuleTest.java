package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {
    private final Generator g = new Generator(3);

    private Sequential mlp() {
        return new Sequential(new Linear(784, 512, true, g), new BatchNorm1d(512), new ReLU(), new Dropout(0.2, g),
                new Linear(512, 10, true, g));
    }

    @Test
    void namedParametersUseDottedPathsInRegistrationOrder() {
        Sequential model = mlp();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"),
                new ArrayList<>(model.namedParameters().keySet()));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"), new ArrayList<>(model.namedBuffers().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "4.weight", "4.bias"), new ArrayList<>(model.stateDict().keySet()));
        assertEquals("weight", model.parameters().get(0).name());
        assertEquals(784 * 512 + 512 + 1024 + 5120 + 10, model.parameterCount());
        assertSame(model.get(4), model.namedChildren().get("4"));
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Sequential model = new Sequential(new Sequential(new Dropout(0.5, g)), new BatchNorm1d(2));
        model.eval();
        List<Boolean> modes = new ArrayList<>();
        model.apply(m -> modes.add(m.isTraining()));
        assertEquals(List.of(false, false, false, false), modes);
        model.train();
        assertTrue(((Sequential) model.get(0)).get(0).isTraining());
    }

    @Test
    void toStringPrintsTheTreeWithParameterCounts() {
        String summary = mlp().toString();
        assertTrue(summary.startsWith("Sequential()\n  (0) Linear(in=784, out=512)"), summary);
        assertTrue(summary.contains("401,920 params"), summary);
        assertTrue(summary.contains("(1) BatchNorm1d(512, eps=1.0E-5, momentum=0.1)"), summary);
        assertTrue(summary.contains("(3) Dropout(p=0.2)"), summary);
        assertTrue(summary.endsWith("Total parameters: 408,074 (trainable: 408,074)"), summary);
    }

    @Test
    void frozenLayersGetNoGradientAndDoNotChange() {
        Linear first = new Linear(3, 4, true, DType.FLOAT64, g);
        Linear last = new Linear(4, 2, true, DType.FLOAT64, g);
        Sequential model = new Sequential(first, new Tanh(), last);
        first.requiresGrad(false);
        NDArray before = first.weight().data().copy();
        Tensor x = Tensor.randn(DType.FLOAT64, g, 5, 3);
        for (int step = 0; step < 3; step++) {
            model.zeroGrad();
            Losses.mse(model.forward(x), Tensor.zeros(DType.FLOAT64, 5, 2)).backward();
            sgdStep(model, 0.1);
        }
        assertNull(first.weight().grad());
        assertNull(first.bias().grad());
        assertEquals(before, first.weight().data());
        assertTrue(last.weight().grad() != null);
        assertTrue(model.toString().endsWith("(trainable: 10)"), model.toString());
    }

    /** Plain gradient descent, as a user would write it without an optimizer. */
    static void sgdStep(Module model, double learningRate) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Parameter p : model.parameters()) {
                if (p.grad() != null) {
                    p.subi(p.grad().mul(learningRate));
                }
            }
        }
    }

    /** (a) A custom layer composed of tensor operations: backward comes for free. */
    static final class ScaledResidual extends Module {
        private final Linear inner;
        private final Parameter scale;

        ScaledResidual(int features, Generator generator) {
            inner = registerModule("inner", new Linear(features, features, true, DType.FLOAT64, generator));
            scale = registerParameter("scale", new Parameter(NDArray.full(DType.FLOAT64, 0.5, 1)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.add(inner.forward(x).tanh().mul(scale));
        }
    }

    /** (b) A custom layer built on a hand-written Function: y = x * sigmoid(beta x), beta trained. */
    static final class LearnedSwish extends Module {
        private final Parameter beta = registerParameter("beta", new Parameter(NDArray.ones(DType.FLOAT64, 1)));

        @Override
        public Tensor forward(Tensor x) {
            return new SwishFunction().apply(x, beta);
        }
    }

    static final class SwishFunction extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0], in[1]);
            return in[0].mul(in[0].mul(in[1]).sigmoid());
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            Tensor x = ctx.saved(0);
            Tensor beta = ctx.saved(1);
            Tensor s = x.mul(beta).sigmoid();
            Tensor slope = s.mul(s.neg().add(1));                 // sigmoid'(beta x)
            Tensor dx = s.add(x.mul(beta).mul(slope));
            Tensor dbeta = x.square().mul(slope);
            return new Tensor[] {gradOutput.mul(dx), gradOutput.mul(dbeta).sum().reshape(1)};
        }
    }

    @Test
    void customLayersTrainInsideASequential() {
        LearnedSwish swish = new LearnedSwish();
        Sequential model = new Sequential(new ScaledResidual(3, g), swish, new Linear(3, 1, true, DType.FLOAT64, g));
        // as in PyTorch: a module's own parameters come before its children's
        assertEquals(List.of("0.scale", "0.inner.weight", "0.inner.bias", "1.beta", "2.weight", "2.bias"),
                new ArrayList<>(model.namedParameters().keySet()));
        Tensor x = Tensor.randn(DType.FLOAT64, g, 32, 3);
        Tensor y = Tensor.of(x.data().sum(new int[] {1}, true).tanh());
        double first = 0;
        double last = 0;
        double betaBefore = swish.parameters().get(0).item();
        for (int step = 0; step < 500; step++) {
            model.zeroGrad();
            Tensor loss = Losses.mse(model.forward(x), y);
            loss.backward();
            sgdStep(model, 0.1);
            if (step == 0) {
                first = loss.item();
            }
            last = loss.item();
        }
        assertTrue(last < 0.2 * first, "loss went from " + first + " to " + last);
        assertTrue(swish.parameters().get(0).item() != betaBefore, "the custom Function's parameter must train");
    }

    @Test
    void loadStateDictReportsEveryProblemAtOnce() {
        Linear layer = new Linear(3, 2, true, g);
        Map<String, NDArray> state = Map.of("weight", NDArray.zeros(2, 4), "extra", NDArray.zeros(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.loadStateDict(state, true));
        assertEquals("loadStateDict: 'weight' has shape [2, 4] in the state dict but [2, 3] in the module; missing key 'bias';"
                + " unexpected key 'extra'", e.getMessage());
        NDArray before = layer.weight().data().copy();
        assertEquals(before, layer.weight().data(), "nothing is loaded when there is a problem");
        layer.loadStateDict(Map.of("bias", NDArray.of(new float[] {1, 2})), false);
        assertArrayEquals(new double[] {1, 2}, layer.bias().data().toDoubleArray(), 0);
    }

    @Test
    void registrationAndInputsAreChecked() {
        IllegalArgumentException dotted = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                registerParameter("a.b", new Parameter(NDArray.zeros(1)));
            }

            @Override
            public Tensor forward(Tensor input) {
                return input;
            }
        });
        assertTrue(dotted.getMessage().contains("entry names must be non-empty and contain no '.'"), dotted.getMessage());
        IllegalArgumentException wrongWidth = assertThrows(IllegalArgumentException.class,
                () -> new Linear(3, 2).forward(Tensor.zeros(4, 5)));
        assertEquals("Linear: expected an input whose last dimension is 3, got shape [4, 5]", wrongWidth.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 2));
        IllegalArgumentException batchOfOne = assertThrows(IllegalArgumentException.class,
                () -> new BatchNorm1d(4).forward(Tensor.zeros(1, 4)));
        assertTrue(batchOfOne.getMessage().startsWith("BatchNorm1d: expected more than 1 value per channel when training"),
                batchOfOne.getMessage());
        BatchNorm1d bn = new BatchNorm1d(4);
        bn.eval();
        assertArrayEquals(new int[] {1, 4}, bn.forward(Tensor.zeros(1, 4)).shape());
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 5)));
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> new Dropout(1));
        assertEquals("Dropout: p must be in [0, 1), got 1.0", p.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(4).forward(Tensor.zeros(2, 5)));
        assertThrows(IndexOutOfBoundsException.class, () -> new Sequential().get(0));
    }

    @Test
    void dropoutDropsAtRateAndScalesSurvivorsAndIsReproducible() {
        Tensor x = Tensor.ones(200, 500);
        NDArray out = new Dropout(0.2, new Generator(7)).forward(x).data();
        double kept = out.gt(0).sum().item() / (double) out.size();
        assertEquals(0.8, kept, 0.005);
        assertEquals(1 / 0.8, out.max().item(), 1e-6);
        assertEquals(1, out.mean().item(), 0.01);
        assertEquals(out, new Dropout(0.2, new Generator(7)).forward(x).data());
        Dropout eval = new Dropout(0.5, g);
        eval.eval();
        assertSame(x, eval.forward(x));
    }

    @Test
    void flattenMergesTheRequestedDimensions() {
        Tensor x = Tensor.zeros(2, 3, 4, 5);
        assertArrayEquals(new int[] {2, 60}, new Flatten().forward(x).shape());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).forward(x).shape());
        assertThrows(IllegalArgumentException.class, () -> new Flatten(2, 1).forward(x));
    }
}
