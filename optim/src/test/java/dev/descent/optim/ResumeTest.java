package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.leastsquares.Levenberg;
import dev.descent.optim.secondorder.BFGS;
import dev.descent.optim.secondorder.Newton;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A run checkpointed after step k with {@code stateDict()} and resumed by a new optimizer over new
 * parameters with {@code loadStateDict} gives the same iterates, bit for bit, as the uninterrupted
 * run: for an element-wise method (Adam), a quasi-Newton method whose history is its state
 * (L-BFGS, BFGS) and a trust-region method whose damping is its state (Levenberg-Marquardt,
 * Newton-CG).
 */
class ResumeTest {
    private static final int STEPS = 12;
    private static final int CHECKPOINT = 5;

    /** A small non-convex problem: a 2-4-1 tanh network fitted to 16 points, by its residuals (the loss is their mean square). */
    private record Problem(List<Tensor> params, ResidualClosure residuals) {
    }

    private static Problem problem() {
        Generator generator = new Generator(7);
        Tensor x = Tensor.of(NDArray.randn(DType.FLOAT64, generator, 16, 2));
        Tensor y = Tensor.of(NDArray.randn(DType.FLOAT64, generator, 16));
        List<Tensor> params = List.of(Tensor.of(NDArray.randn(DType.FLOAT64, generator, 4, 2).mul(0.5)).requiresGrad(true),
                Tensor.of(NDArray.randn(DType.FLOAT64, generator, 4)).requiresGrad(true),
                Tensor.of(NDArray.randn(DType.FLOAT64, generator, 4).mul(0.5)).requiresGrad(true));
        ResidualClosure residuals = () -> x.matmul(params.get(0).t()).add(params.get(1)).tanh().matmul(params.get(2)).sub(y);
        return new Problem(params, residuals);
    }

    private static List<double[]> iterates(String spec, boolean interrupt) {
        Problem problem = problem();
        Optimizer optimizer = Optimizers.create(spec, problem.params());
        List<double[]> points = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            if (interrupt && step == CHECKPOINT) {
                OptimizerState saved = optimizer.stateDict();
                List<NDArray> values = new ArrayList<>();
                problem.params().forEach(p -> values.add(p.data().copy()));
                // a new process: fresh parameters holding the saved values, a fresh optimizer holding the saved state
                Problem resumed = problem();
                for (int i = 0; i < values.size(); i++) {
                    resumed.params().get(i).data().copyFrom(values.get(i));
                }
                optimizer = Optimizers.create(spec, resumed.params());
                optimizer.loadStateDict(saved);
                problem = resumed;
            }
            Problem current = problem;
            Optimizer stepping = optimizer;
            LossClosure closure = optimizer.closureKind() == Optimizer.ClosureKind.RESIDUALS ? current.residuals()
                    : LossClosure.of(stepping, () -> current.residuals().residuals().square().mean());
            optimizer.step(closure);
            points.add(ParameterVector.of(current.params()).values());
        }
        return points;
    }

    private static void resumesExactly(String spec) {
        List<double[]> straight = iterates(spec, false);
        List<double[]> resumed = iterates(spec, true);
        for (int step = 0; step < STEPS; step++) {
            assertArrayEquals(straight.get(step), resumed.get(step), 0, spec + ", step " + (step + 1));
        }
        // the steps after the checkpoint moved: the comparison is not of a stalled run
        assertEquals(false, java.util.Arrays.equals(straight.get(CHECKPOINT), straight.get(STEPS - 1)), spec + " did not move");
    }

    @Test
    void adamResumesBitForBit() {
        resumesExactly("adam:lr=0.05");
    }

    @Test
    void lbfgsResumesBitForBitWithItsHistoryInTheState() {
        resumesExactly("lbfgs:maxIter=2,historySize=3,lineSearch=strong_wolfe");
        resumesExactly("lbfgs:maxIter=3,lr=0.1");
    }

    @Test
    void bfgsResumesBitForBitWithItsMatrixInTheState() {
        resumesExactly("bfgs:maxIter=2");
    }

    @Test
    void levenbergMarquardtResumesBitForBitWithItsDampingInTheState() {
        resumesExactly("lm:maxIter=1");
        // Hessian-free: the random signs of the diagonal's probes are keyed by a counter in the state
        resumesExactly("lm:maxIter=1,solver=cg,maxCgIterations=3");
    }

    @Test
    void newtonCgResumesBitForBitWithItsDampingAndWarmStartInTheState() {
        resumesExactly("newtoncg:maxCgIterations=5");
    }
}
