package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

class EngineTest {

    private static Tensor leaf(double... values) {
        return Tensor.of(NDArray.of(values)).requiresGrad(true);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = leaf(1, 2, 3);
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().data().toDoubleArray(), 0);
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {5, 7, 9}, x.grad().data().toDoubleArray(), 0);
        x.zeroGrad();
        assertNull(x.grad());
        x.sum().backward();
        assertArrayEquals(new double[] {1, 1, 1}, x.grad().data().toDoubleArray(), 0);
    }

    @Test
    void aValueUsedTwiceGetsBothContributions() {
        Tensor x = leaf(3);
        Tensor y = x.mul(x).add(x.exp()).add(x);   // dy/dx = 2x + e^x + 1
        y.backward();
        assertEquals(6 + Math.exp(3) + 1, x.grad().item(), 1e-12);
    }

    @Test
    void backwardWithAGradOutputWeightsTheOutputs() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(x);
        y.backward(Tensor.of(NDArray.of(new double[] {10, 100})));
        assertArrayEquals(new double[] {20, 400}, x.grad().data().toDoubleArray(), 0);
    }

    @Test
    void aSecondBackwardNeedsRetainGraph() {
        Tensor x = leaf(2);
        Tensor y = x.exp().mul(x);
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("pass retainGraph = true to the first backward"), e.getMessage());

        Tensor z = leaf(2);
        Tensor w = z.exp().mul(z);
        w.backward(Tensor.of(NDArray.of(new double[] {1})), true, false);
        w.backward();
        assertEquals(2 * 3 * Math.exp(2), z.grad().item(), 1e-12);
    }

    @Test
    void noGradRecordsNothingAndEnableGradRestoresRecording() {
        Tensor x = leaf(1, 2);
        Tensor y;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            y = x.mul(2).exp();
            try (GradMode.Scope inner = GradMode.enableGrad()) {
                assertTrue(x.mul(2).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertTrue(y.isLeaf());
        assertNull(y.gradFnName());
        assertFalse(Tensor.ones(2).mul(3).requiresGrad());
    }

    @Test
    void aChainOfTenThousandOpsBackpropagatesWithoutRecursion() {
        Tensor x = leaf(1);
        Tensor y = x;
        for (int i = 0; i < 10_000; i++) {
            y = y.mul(1.0001);
        }
        y.backward();
        assertEquals(Math.pow(1.0001, 10_000), x.grad().item(), 1e-9);
    }

    @Test
    void savedValuesAreReleasedByBackward() throws InterruptedException {
        Tensor x = leaf(1, 2, 3);
        Tensor hidden = x.exp();                 // Exp saves its output
        WeakReference<NDArray> saved = new WeakReference<>(hidden.data());
        Tensor loss = hidden.sum();
        hidden = null;
        loss.backward();
        // loss still holds its graph, but the Exp node dropped the value it saved
        for (int attempt = 0; attempt < 50 && saved.get() != null; attempt++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(saved.get(), "the saved intermediate is still reachable after backward");
        assertEquals(3, loss.gradFnName().length());

        Tensor kept = x.exp();
        WeakReference<NDArray> retained = new WeakReference<>(kept.data());
        Tensor retainedLoss = kept.sum();
        kept = null;
        retainedLoss.backward(Tensor.of(NDArray.scalar(DType.FLOAT64, 1)), true, false);
        System.gc();
        assertTrue(retained.get() != null, "retainGraph must keep the saved value");
    }

    @Test
    void badCallsAreClearErrors() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(2);
        IllegalArgumentException scalar = assertThrows(IllegalArgumentException.class, y::backward);
        assertEquals("backward: a gradient can be created implicitly only for a one-element tensor, but this one has shape [2];"
                + " pass gradOutput", scalar.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> y.backward(Tensor.ones(DType.FLOAT64, 3)));
        assertEquals("backward: gradOutput has shape [3] but the output has shape [2]; they must be equal", shape.getMessage());
        IllegalArgumentException ints = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new int[] {1, 2}).requiresGrad(true));
        assertEquals("requiresGrad: only floating-point tensors can require gradients, got INT32 (convert with"
                + " astype(DType.FLOAT32))", ints.getMessage());
        IllegalStateException nonLeaf = assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        assertTrue(nonLeaf.getMessage().startsWith("requiresGrad: only leaf tensors can change this flag"), nonLeaf.getMessage());
        IllegalStateException noGraph = assertThrows(IllegalStateException.class, () -> Tensor.ones(1).backward());
        assertTrue(noGraph.getMessage().startsWith("backward: this tensor does not require grad"), noGraph.getMessage());
    }

    @Test
    void inPlaceChangesToSavedValuesAreDetectedByVersion() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(1);          // a non-leaf that does not share x's storage
        Tensor y = h.exp();           // saves its output
        Tensor z = h.mul(h);          // saves h
        Tensor output = y;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            output.addi(1);           // modifies the value Exp saved
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertEquals("Exp: a value it saved for backward (shape [2]) was modified in place afterwards (version 1, saved at"
                + " version 0); use an out-of-place operation, or clone() the value before changing it", e.getMessage());

        Tensor view = h.reshape(2, 1);   // a view shares h's version counter
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            view.muli(3);
        }
        IllegalStateException throughView = assertThrows(IllegalStateException.class, () -> z.sum().backward());
        assertTrue(throughView.getMessage().startsWith("Mul: a value it saved for backward"), throughView.getMessage());

        IllegalStateException leafInPlace = assertThrows(IllegalStateException.class, () -> x.addi(1));
        assertTrue(leafInPlace.getMessage().startsWith("addi: in-place operations are not recorded"), leafInPlace.getMessage());
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            x.subi(Tensor.of(NDArray.of(new double[] {1, 1})));   // an optimizer's update
        }
        assertArrayEquals(new double[] {0, 1}, x.data().toDoubleArray(), 0);
        assertEquals(1, x.version());
    }

    @Test
    void gradientsOfMixedDtypesComeBackInEachLeafsDtype() {
        Tensor f = Tensor.ones(DType.FLOAT32, 2).requiresGrad(true);
        Tensor d = Tensor.ones(DType.FLOAT64, 2).mul(3).detach().requiresGrad(true);
        f.mul(d).sum().backward();
        assertEquals(DType.FLOAT32, f.grad().dtype());
        assertEquals(DType.FLOAT64, d.grad().dtype());
        assertArrayEquals(new double[] {3, 3}, f.grad().data().toDoubleArray(), 0);
        Tensor cast = Tensor.ones(DType.FLOAT32, 2).requiresGrad(true);
        cast.astype(DType.FLOAT64).mul(2).sum().backward();
        assertEquals(DType.FLOAT32, cast.grad().dtype());
        assertArrayEquals(new double[] {2, 2}, cast.grad().data().toDoubleArray(), 0);
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(2);
        Tensor y = x.mul(x).detach().mul(x);   // treated as constant 4 times x
        y.backward();
        assertEquals(4, x.grad().item(), 0);
        assertTrue(x.detach().isLeaf());
        assertFalse(x.detach().requiresGrad());
    }

    @Test
    void anomalyDetectionNamesTheOperationAndWhereItWasCreated() {
        Tensor x = leaf(-1, 2);
        try (GradMode.Scope ignored = GradMode.detectAnomaly()) {
            ArithmeticException forward = assertThrows(ArithmeticException.class, () -> x.log());
            assertTrue(forward.getMessage().startsWith("Log produced NaN or infinity in its forward output from finite inputs"),
                    forward.getMessage());
            assertTrue(forward.getMessage().contains("EngineTest"), forward.getMessage());
            Tensor zero = leaf(0, 4);
            Tensor root = zero.sqrt().sum();
            ArithmeticException backward = assertThrows(ArithmeticException.class, root::backward);
            assertTrue(backward.getMessage().startsWith("Sqrt produced NaN or infinity in the gradient of input 0 during backward"),
                    backward.getMessage());
            assertTrue(backward.getMessage().contains("EngineTest"), backward.getMessage());
        }
        assertFalse(GradMode.isAnomalyDetectionEnabled());
        assertTrue(Double.isNaN(x.log().data().get(0)), "outside the scope NaN flows silently, as in PyTorch");
    }

    @Test
    void theGraphExportsAsGraphvizDot() {
        Tensor w = Tensor.ones(DType.FLOAT64, 3, 2).requiresGrad(true);
        Tensor x = Tensor.ones(DType.FLOAT64, 4, 3);
        Tensor loss = x.matmul(w).relu().sum();
        String dot = GraphExport.toDot(loss);
        assertTrue(dot.startsWith("digraph autograd {"), dot);
        assertTrue(dot.contains("n0 [label=\"Sum\\n[]\", shape=box];"), dot);
        assertTrue(dot.contains("[label=\"Relu\\n[4, 2]\", shape=box];"), dot);
        assertTrue(dot.contains("[label=\"MatMul\\n[4, 2]\", shape=box];"), dot);
        assertTrue(dot.contains("[label=\"leaf [3, 2]\\nrequiresGrad\", shape=ellipse];"), dot);
        assertTrue(dot.contains("n1 -> n0;"), dot);
        assertEquals(4, dot.lines().filter(line -> line.contains("[label=")).count(), dot);
    }
}
