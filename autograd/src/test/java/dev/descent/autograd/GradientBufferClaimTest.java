package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A backward may add a leaf's gradient straight into the leaf's gradient array
 * ({@link Context#claimGradientBuffer}) when that array was kept by {@code zeroGrad(false)}; the
 * result must be what returning the gradient gives, and hooks, {@link Autograd#grad} and
 * {@code createGraph} must behave as if nothing changed.
 */
class GradientBufferClaimTest {
    private final Generator generator = new Generator(3);

    /** y = x w for a constant x [n, k] and a leaf w [k, m]; dw = x^T dy, added in place when the engine allows. */
    private static final class Product extends Function {
        final NDArray x;
        boolean claimed;

        Product(NDArray x) {
            this.x = x;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return x.matmul(in[0]);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            NDArray buffer = ctx.claimGradientBuffer(0);
            claimed = buffer != null;
            if (claimed) {
                buffer.addmmi(x.t(), g.data());
                return new Tensor[] {null};
            }
            return new Tensor[] {Tensor.of(x.t().matmul(g.data()))};
        }
    }

    private NDArray random(int... shape) {
        return NDArray.randn(DType.FLOAT64, generator, shape);
    }

    /** The loss sum(y * c), whose gradient with respect to y is c. */
    private static Tensor loss(Tensor y, NDArray c) {
        return y.mul(Tensor.of(c)).sum();
    }

    @Test
    void aKeptGradientArrayReceivesTheGradientInPlaceWithTheReturnedValue() {
        NDArray x = random(5, 4);
        NDArray c = random(5, 3);
        Tensor w = Tensor.of(random(4, 3)).requiresGrad(true);
        Product first = new Product(x);
        loss(first.apply(w), c).backward();
        assertFalse(first.claimed, "no gradient array yet: the first backward returns its gradient");
        double[] expected = w.grad().data().toDoubleArray();
        NDArray kept = w.grad().data();

        w.zeroGrad(false);
        assertSame(kept, w.grad().data(), "zeroGrad(false) keeps the array");
        assertArrayEquals(new double[12], kept.toDoubleArray(), 0);
        Product second = new Product(x);
        loss(second.apply(w), c).backward();
        assertTrue(second.claimed);
        assertSame(kept, w.grad().data());
        assertArrayEquals(expected, kept.toDoubleArray(), 1e-12);

        Product third = new Product(x);
        loss(third.apply(w), c).backward();   // without zeroing, gradients add up as always
        assertTrue(third.claimed);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(2 * expected[i], kept.toDoubleArray()[i], 1e-12);
        }
    }

    @Test
    void aLeafUsedTwiceGetsBothContributionsAndItsHookRunsOncePerBackward() {
        NDArray x1 = random(6, 4);
        NDArray x2 = random(2, 4);
        NDArray c1 = random(6, 3);
        NDArray c2 = random(2, 3);
        Tensor w = Tensor.of(random(4, 3)).requiresGrad(true);
        List<Tensor> seen = new ArrayList<>();
        w.registerPostAccumulateGradHook(seen::add);
        // reference: one in place, the other returned, so both paths of the engine meet at the leaf
        double[] expected = x1.t().matmul(c1).add(x2.t().matmul(c2)).toDoubleArray();
        w.setGrad(Tensor.of(NDArray.zeros(4, 3).astype(w.dtype())));
        loss(new Product(x1).apply(w), c1).add(loss(new Product(x2).apply(w), c2)).backward();
        assertArrayEquals(expected, w.grad().data().toDoubleArray(), 1e-12);
        assertEquals(1, seen.size(), "the hook runs once, after both contributions");

        w.zeroGrad(false);
        Tensor viaProduct = new Product(x1).apply(w);
        Tensor viaMul = w.mul(2).sum();  // the other use returns its gradient through ordinary ops
        loss(viaProduct, c1).add(viaMul).backward();
        double[] withMul = x1.t().matmul(c1).add(2).toDoubleArray();
        assertArrayEquals(withMul, w.grad().data().toDoubleArray(), 1e-12);
        assertEquals(2, seen.size());
    }

    @Test
    void autogradGradAndCreateGraphNeverWriteIntoTheKeptArray() {
        NDArray x = random(5, 4);
        NDArray c = random(5, 3);
        Tensor w = Tensor.of(random(4, 3)).requiresGrad(true);
        w.setGrad(Tensor.of(NDArray.zeros(4, 3).astype(w.dtype())));
        Product viaGrad = new Product(x);
        Tensor gradient = Autograd.grad(loss(viaGrad.apply(w), c), w);
        assertFalse(viaGrad.claimed);
        assertArrayEquals(x.t().matmul(c).toDoubleArray(), gradient.data().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[12], w.grad().data().toDoubleArray(), 0, ".grad is left alone");

        Product recorded = new Product(x);
        loss(recorded.apply(w), c).backward(Tensor.of(NDArray.scalar(w.dtype(), 1)), false, true);
        assertFalse(recorded.claimed, "createGraph keeps gradients in the graph");
        assertArrayEquals(x.t().matmul(c).toDoubleArray(), w.grad().data().toDoubleArray(), 1e-12);
    }

    @Test
    void claimingAnInputTheOpDoesNotHaveNamesTheOpAndItsInputCount() {
        Tensor w = Tensor.of(random(2)).requiresGrad(true);
        Function bad = new Function() {
            @Override
            protected NDArray forward(Context ctx, NDArray... in) {
                return in[0].copy();
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor g) {
                ctx.claimGradientBuffer(1);
                return new Tensor[] {g};
            }
        };
        IndexOutOfBoundsException e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> bad.apply(w).sum().backward());
        assertTrue(e.getMessage().contains("claimGradientBuffer(1)") && e.getMessage().contains("1 inputs"), e.getMessage());
    }

    @Test
    void zeroGradWithoutSetToNoneDetachesAGradientThatRequiresGrad() {
        Tensor w = Tensor.of(random(3)).requiresGrad(true);
        w.mul(w).sum().backward(Tensor.of(NDArray.scalar(w.dtype(), 1)), false, true);
        assertTrue(w.grad().requiresGrad());
        Tensor recorded = w.grad();
        w.zeroGrad(false);
        assertNotSame(recorded, w.grad());
        assertFalse(w.grad().requiresGrad());
        assertArrayEquals(new double[3], w.grad().data().toDoubleArray(), 0);
        w.zeroGrad(true);
        assertNull(w.grad());
    }
}
