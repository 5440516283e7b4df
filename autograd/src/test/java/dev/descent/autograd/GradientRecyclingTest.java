package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * After a function's backward returns, the engine gives the gradient it consumed back to the
 * host allocator when nothing else can refer to it. These tests keep that gradient on purpose
 * (against {@link Function#backward}'s contract) to see whether it was given back: a released
 * array fails when read. The arrays must be given back only then, and the results never change.
 */
class GradientRecyclingTest {
    private static final int SIZE = 4096;   // large enough for the host pool (small arrays are not pooled)
    private final Generator generator = new Generator(11);

    /** The identity, keeping the gradient it receives; optionally returns it itself instead of a copy. */
    private static final class Spy extends Function {
        private final boolean passThrough;
        Tensor received;

        Spy(boolean passThrough) {
            this.passThrough = passThrough;
        }

        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            return in[0].copy();
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            received = g;
            return new Tensor[] {passThrough ? g : Tensor.of(g.data().copy())};
        }
    }

    private Tensor leaf() {
        return Tensor.of(NDArray.randn(DType.FLOAT64, generator, SIZE)).requiresGrad(true);
    }

    /** loss = sum(3 spy(x)): the spy receives 3 * ones, a new array made by Mul's backward. */
    private static Tensor loss(Spy spy, Tensor x) {
        return spy.apply(x).mul(3).sum();
    }

    private static void assertReleased(Tensor kept) {
        assertThrows(NullPointerException.class, () -> kept.data().sum(), "the consumed gradient should have been given back");
    }

    private static void assertUsable(Tensor kept, double expected) {
        assertArrayEquals(filled(expected), kept.data().toDoubleArray(), 0);
    }

    private static double[] filled(double value) {
        double[] values = new double[SIZE];
        java.util.Arrays.fill(values, value);
        return values;
    }

    @Test
    void aConsumedIntermediateGradientIsGivenBackAndTheLeafGradientIsRight() {
        Spy spy = new Spy(false);
        Tensor x = leaf();
        loss(spy, x).backward();
        assertReleased(spy.received);
        assertArrayEquals(filled(3), x.grad().data().toDoubleArray(), 0);
    }

    @Test
    void aGradientPassedOnIsKept() {
        Spy spy = new Spy(true);
        Tensor x = leaf();
        loss(spy, x).backward();
        assertUsable(spy.received, 3);
        assertArrayEquals(filled(3), x.grad().data().toDoubleArray(), 0);
    }

    @Test
    void aGradientDeliveredAlongTwoEdgesIsKept() {
        // Add's backward sends the same array to the spy and to w
        Spy spy = new Spy(false);
        Tensor x = leaf();
        Tensor w = leaf();
        spy.apply(x).add(w).mul(3).sum().backward();
        assertUsable(spy.received, 3);
        assertArrayEquals(filled(3), w.grad().data().toDoubleArray(), 0);
    }

    @Test
    void nothingIsGivenBackWhenGradientsMayStayReachable() {
        check(spy -> {
            Tensor x = leaf();
            loss(spy, x).backward(Tensor.of(NDArray.scalar(DType.FLOAT64, 1)), false, true);   // createGraph
        });
        check(spy -> {
            Tensor x = leaf();
            Autograd.grad(loss(spy, x), x);
        });
        check(spy -> {
            try (GradMode.Scope anomaly = GradMode.detectAnomaly()) {
                loss(spy, leaf()).backward();
            }
        });
    }

    private void check(Consumer<Spy> backward) {
        Spy spy = new Spy(false);
        backward.accept(spy);
        assertUsable(spy.received, 3);
    }

    @Test
    void recycledArraysChangeNoResult() {
        // the same training run with recycling (plain backward) and without (anomaly detection): equal bit for bit
        assertArrayEquals(train(false), train(true), 0);
    }

    private double[] train(boolean anomaly) {
        Generator data = new Generator(5);
        Tensor w1 = Tensor.of(NDArray.randn(DType.FLOAT64, data, 64, 96).mul(0.1)).requiresGrad(true);
        Tensor w2 = Tensor.of(NDArray.randn(DType.FLOAT64, data, 96, 48).mul(0.1)).requiresGrad(true);
        for (int step = 0; step < 5; step++) {
            Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, data, 128, 64));
            try (GradMode.Scope mode = anomaly ? GradMode.detectAnomaly() : GradMode.enableGrad()) {
                x.matmul(w1).relu().mul(x.matmul(w1).tanh()).matmul(w2).relu().pow(2).mean().backward();
            }
            try (GradMode.Scope off = GradMode.noGrad()) {
                w1.data().subi(w1.grad().data().mul(0.5));
                w2.data().subi(w2.grad().data().mul(0.5));
            }
            w1.zeroGrad();
            w2.zeroGrad();
        }
        double[] both = new double[64 * 96 + 96 * 48];
        System.arraycopy(w1.data().toDoubleArray(), 0, both, 0, 64 * 96);
        System.arraycopy(w2.data().toDoubleArray(), 0, both, 64 * 96, 96 * 48);
        return both;
    }
}
