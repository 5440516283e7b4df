package dev.descent.optim.leastsquares;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.optim.StepResult;
import dev.descent.optim.StopReason;
import dev.descent.optim.firstorder.Adam;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lectures' case for second-order methods on a network small enough for full batches: a
 * 1-16-1 tanh network fitting y = sin x on 200 points of [-pi, pi], from the same initialization.
 * Levenberg-Marquardt must reach a training MSE below 1e-5 in at least 10x fewer iterations than
 * Adam needs at the best of four learning rates.
 */
class SineNetworkTest {
    static final int POINTS = 200;
    static final double TARGET = 1e-5;

    /** W1 [16, 1], b1 [16], W2 [1, 16], b2 [1], drawn as torch.nn.Linear does: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    static Tensor[] initialParameters(long seed) {
        Generator g = new Generator(seed);
        return new Tensor[] {
            Tensor.of(NDArray.rand(DType.FLOAT64, g, 16, 1).mul(2).sub(1)).requiresGrad(true),
            Tensor.of(NDArray.rand(DType.FLOAT64, g, 16).mul(2).sub(1)).requiresGrad(true),
            Tensor.of(NDArray.rand(DType.FLOAT64, g, 1, 16).mul(0.5).sub(0.25)).requiresGrad(true),
            Tensor.of(NDArray.rand(DType.FLOAT64, g, 1).mul(0.5).sub(0.25)).requiresGrad(true)};
    }

    static Tensor inputs() {
        double[] x = new double[POINTS];
        for (int i = 0; i < POINTS; i++) {
            x[i] = -Math.PI + 2 * Math.PI * i / (POINTS - 1);
        }
        return Tensor.of(NDArray.of(x, POINTS, 1));
    }

    static Tensor residuals(Tensor[] w, Tensor x, Tensor y) {
        Tensor hidden = x.matmul(w[0].t()).add(w[1]).tanh();
        return hidden.matmul(w[2].t()).add(w[3]).reshape(-1).sub(y);
    }

    /** Adam steps until the MSE is below TARGET, at most {@code cap}; returns the count, or cap + 1 if never. */
    static int adamStepsToTarget(double lr, int cap, Tensor x, Tensor y) {
        Tensor[] w = initialParameters(0);
        Adam adam = new Adam(List.of(w), Adam.options().lr(lr));
        for (int step = 0; step < cap; step++) {
            adam.zeroGrad();
            Tensor mse = residuals(w, x, y).square().mean();
            if (mse.item() < TARGET) {
                return step;
            }
            mse.backward();
            adam.step();
        }
        return cap + 1;
    }

    @Test
    void levenbergMarquardtNeedsTenTimesFewerIterationsThanTheBestAdam() {
        Tensor x = inputs();
        Tensor y = x.reshape(-1).sin();
        Tensor[] w = initialParameters(0);
        int[] reached = {-1};
        // one trial step per optimizer step, so that the MSE is seen after every iteration
        LevenbergMarquardt lm = new LevenbergMarquardt(List.of(w), LevenbergMarquardt.options().maxIter(1));
        StepResult last = null;
        for (int iterations = 0; iterations < 2000; ) {
            lm.step(() -> residuals(w, x, y));
            last = lm.lastStep();
            iterations += last.iterations();
            if (2 * last.loss() / POINTS < TARGET) {
                reached[0] = iterations;
                break;
            }
            if (last.stopReason() != StopReason.MAX_ITERATIONS) {
                break;
            }
        }
        assertTrue(reached[0] > 0, "LM did not reach MSE " + TARGET + ": " + last.stopReason() + ", MSE " + 2 * last.loss() / POINTS);
        int cap = 10 * reached[0];
        StringBuilder adam = new StringBuilder();
        for (double lr : new double[] {1e-3, 3e-3, 1e-2, 3e-2}) {
            int steps = adamStepsToTarget(lr, cap, x, y);
            adam.append(String.format(" lr %.0e: %s;", lr, steps > cap ? "not within " + cap : steps));
            assertTrue(steps > cap, "Adam lr " + lr + " reached MSE " + TARGET + " in " + steps + " steps, LM needed " + reached[0]);
        }
        System.out.printf("sine 1-16-1: LM reached MSE < %.0e in %d iterations; Adam%s%n", TARGET, reached[0], adam);
    }
}
