package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

/** Custom ops written by subclassing Function, as a user would. */
class CustomFunctionTest {

    /** Swish, x * sigmoid(x), with a hand-written backward (the example of Function's Javadoc). */
    static final class Swish extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... inputs) {
            NDArray x = inputs[0];
            ctx.save(x);
            return x.mul(x.sigmoid());
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            Tensor x = ctx.saved(0);
            Tensor s = x.sigmoid();
            Tensor local = s.add(x.mul(s).mul(s.neg().add(1)));
            return new Tensor[] {gradOutput.mul(local)};
        }
    }

    /** Maxout over pairs of the last dimension: out[..., i] = max(x[..., 2i], x[..., 2i+1]). */
    static final class Maxout extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... inputs) {
            NDArray x = inputs[0];
            int[] shape = x.shape();
            int last = shape[shape.length - 1];
            int[] pairs = shape.clone();
            pairs[shape.length - 1] = last / 2;
            NDArray grouped = x.reshape(concat(pairs, 2));
            NDArray winner = grouped.argmax(-1, true);
            ctx.save(winner);
            return grouped.max(new int[] {-1}, false);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            NDArray winner = ctx.saved(0).data();
            int[] grouped = concat(gradOutput.shape(), 2);
            Tensor spread = Tensor.of(NDArray.zeros(gradOutput.dtype(), grouped))
                    .scatterAdd(grouped.length - 1, winner, gradOutput.unsqueeze(-1));
            return new Tensor[] {spread.reshape(ctx.inputShape(0))};
        }

        private static int[] concat(int[] shape, int last) {
            int[] result = java.util.Arrays.copyOf(shape, shape.length + 1);
            result[shape.length] = last;
            return result;
        }
    }

    /** A deliberately wrong derivative: GradCheck must catch it. */
    static final class WrongSquare extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... inputs) {
            ctx.save(inputs[0]);
            return inputs[0].square();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            return new Tensor[] {gradOutput.mul(ctx.saved(0))}; // should be 2x
        }
    }

    @Test
    void swishPassesFirstAndSecondOrderChecks() {
        Tensor x = Tensor.randn(DType.FLOAT64, new Generator(1), 3, 5).requiresGrad(true);
        GradCheck.Result first = GradCheck.check(in -> new Swish().apply(in[0]), x);
        assertTrue(first.passed(), first.toString());
        assertEquals("Swish", first.op());
        GradCheck.Result second = GradCheck.checkSecondOrder(in -> new Swish().apply(in[0]), x);
        assertTrue(second.passed(), second.toString());
        Tensor composed = x.mul(x.sigmoid());
        assertTrue(composed.data().allClose(new Swish().apply(x).data(), 1e-12, 1e-12));
    }

    @Test
    void maxoutPassesTheGradientCheckAndComposesWithBuiltInOps() {
        Tensor x = Tensor.randn(DType.FLOAT64, new Generator(2), 4, 6).requiresGrad(true);
        GradCheck.Result result = GradCheck.check(in -> new Maxout().apply(in[0].mul(2)).tanh(), x);
        assertTrue(result.passed(), result.toString());
        Tensor out = new Maxout().apply(x);
        assertArrayEquals(new int[] {4, 3}, out.shape());
        assertEquals(Math.max(x.data().get(1, 2), x.data().get(1, 3)), out.data().get(1, 1), 0);
    }

    @Test
    void gradCheckCatchesAWrongDerivativeAndNamesIt() {
        Tensor x = Tensor.of(NDArray.of(new double[] {0.5, 1, 2})).requiresGrad(true);
        GradCheck.Result result = GradCheck.check(in -> new WrongSquare().apply(in[0]), x);
        assertFalse(result.passed());
        assertEquals("WrongSquare", result.op());
        assertTrue(result.error() > 0.1, result.toString());
        assertTrue(result.toString().startsWith("FAILED: WrongSquare, worst element ["), result.toString());
        IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.check(in -> in[0].exp(), Tensor.ones(3).requiresGrad(true)));
        assertEquals("GradCheck: input 0 is FLOAT32; finite differences need FLOAT64 (use astype(DType.FLOAT64))",
                floats.getMessage());
    }

    @Test
    void aFunctionInstanceIsOneNodeAndBadBackwardsAreReported() {
        Tensor x = Tensor.ones(DType.FLOAT64, 2).requiresGrad(true);
        Swish swish = new Swish();
        swish.apply(x);
        IllegalStateException reused = assertThrows(IllegalStateException.class, () -> swish.apply(x));
        assertTrue(reused.getMessage().startsWith("Swish: this Function instance was already applied"), reused.getMessage());

        Function wrongShape = new Function() {
            @Override
            protected NDArray forward(Context ctx, NDArray... inputs) {
                return inputs[0].sum();
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor gradOutput) {
                return new Tensor[] {gradOutput};
            }

            @Override
            public String name() {
                return "BadSum";
            }
        };
        Tensor y = wrongShape.apply(x);
        IllegalStateException shape = assertThrows(IllegalStateException.class, y::backward);
        assertEquals("BadSum.backward returned a gradient of shape [] for input 0 of shape [2]", shape.getMessage());
    }
}
