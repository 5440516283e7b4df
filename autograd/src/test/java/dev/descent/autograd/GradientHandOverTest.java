package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

/**
 * A leaf's first gradient is kept without a copy only when nothing else refers to its array; every
 * case where something does (shared between inputs, a view, the caller's root gradient) copies.
 */
class GradientHandOverTest {

    /** y = 2x, whose backward remembers the gradient it returned, so the test can see where it went. */
    private static final class Double extends Function {
        Tensor returned;

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].mul(2);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            returned = g.mul(2);
            return new Tensor[] {returned};
        }
    }

    private static Tensor leaf(double... values) {
        return Tensor.of(NDArray.of(values)).requiresGrad(true);
    }

    @Test
    void aNewGradientOnOneEdgeBecomesTheLeafsGradWithoutACopy() {
        Tensor x = leaf(1, 2, 3);
        Double op = new Double();
        op.apply(x).sum().backward();
        assertSame(op.returned, x.grad());
        assertArrayEquals(new double[] {2, 2, 2}, x.grad().data().toDoubleArray(), 0);
        // later gradients add into it in place, as before
        new Double().apply(x).sum().backward();
        assertArrayEquals(new double[] {4, 4, 4}, x.grad().data().toDoubleArray(), 0);
    }

    @Test
    void oneGradientSentToTwoLeavesIsCopiedForEach() {
        Tensor a = leaf(1, 2);
        Tensor b = leaf(3, 4);
        new Double().apply(a.add(b)).sum().backward();   // Add's backward sends the same array to a and b
        assertNotSame(a.grad().data().storage(), b.grad().data().storage());
        a.grad().data().addi(NDArray.of(new double[] {10.0, 10.0}));
        assertArrayEquals(new double[] {2, 2}, b.grad().data().toDoubleArray(), 0);
    }

    @Test
    void aGradientWhoseViewGoesElsewhereIsCopied() {
        Tensor a = leaf(1, 2, 3, 4);
        Tensor b = leaf(5, 6, 7, 8);
        // Add sends g to a and to reshape, whose backward reshapes (a view of g) into b's grad
        Tensor sum = new Double().apply(a.add(b.reshape(2, 2).reshape(4)));
        sum.sum().backward();
        assertNotSame(a.grad().data().storage(), b.grad().data().storage());
        a.grad().data().addi(NDArray.of(new double[] {1.0, 1.0, 1.0, 1.0}));
        assertArrayEquals(new double[] {2, 2, 2, 2}, b.grad().data().toDoubleArray(), 0);
    }

    @Test
    void theCallersRootGradientIsNeverTheLeafsGrad() {
        Tensor x = leaf(1, 2);
        Tensor gradOutput;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            gradOutput = Tensor.of(NDArray.of(new double[] {1.0, 1.0})).mul(3);   // a new array, but the caller holds it
        }
        x.backward(gradOutput);
        assertNotSame(gradOutput.data().storage(), x.grad().data().storage());
        gradOutput.data().addi(NDArray.of(new double[] {5.0, 5.0}));
        assertArrayEquals(new double[] {3, 3}, x.grad().data().toDoubleArray(), 0);
    }
}
