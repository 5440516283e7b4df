package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * Checks analytic gradients against central finite differences in float64.
 *
 * <p>The output y = f(inputs) is reduced to the scalar L = sum(y * r) with fixed random weights r,
 * so every output element takes part. For each element x<sub>j</sub> of each input that requires
 * grad, the analytic dL/dx<sub>j</sub> from backward is compared with
 * (L(x + &epsilon;e<sub>j</sub>) &minus; L(x &minus; &epsilon;e<sub>j</sub>)) / 2&epsilon;; the error of an
 * element is |analytic &minus; numeric| / max(1, |numeric|). {@link #checkSecondOrder} applies the
 * same test to the gradient itself (differentiated with {@code createGraph}), which exercises the
 * backward formulas' own derivatives.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(DType.FLOAT64, new Generator(0), 3, 4).requiresGrad(true);
 * GradCheck.Result r = GradCheck.check(in -> in[0].tanh().sum(1), x);
 * if (!r.passed()) throw new AssertionError(r.toString());
 * }</pre>
 * Inputs must be FLOAT64; they are perturbed in place (and restored), so they may be any view.
 */
public final class GradCheck {
    /** Finite-difference step. */
    public static final double DEFAULT_STEP = 1e-6;
    /** Largest error accepted. */
    public static final double DEFAULT_TOLERANCE = 1e-6;

    private GradCheck() {
    }

    /**
     * The outcome: whether every element passed and the worst one, named by the operation that
     * produced the output, the input's position, and the element's index within that input.
     */
    public record Result(boolean passed, String op, int input, int[] index, double analytic, double numeric, double error) {
        @Override
        public String toString() {
            return (passed ? "passed" : "FAILED") + ": " + op + ", worst element " + Arrays.toString(index) + " of input "
                    + input + ": analytic " + analytic + ", numeric " + numeric + ", error " + error;
        }
    }

    /** {@link #check(TensorFunction, double, double, Tensor...)} with the default step and tolerance. */
    public static Result check(TensorFunction f, Tensor... inputs) {
        return check(f, DEFAULT_STEP, DEFAULT_TOLERANCE, inputs);
    }

    /** Compares f's analytic gradients with finite differences (see the class comment). */
    public static Result check(TensorFunction f, double step, double tolerance, Tensor... inputs) {
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("GradCheck: input " + i + " is " + inputs[i].dtype()
                        + "; finite differences need FLOAT64 (use astype(DType.FLOAT64))");
            }
        }
        Tensor output = f.apply(inputs);
        String op = output.gradFnName() == null ? "(no operation)" : output.gradFnName();
        NDArray weights = NDArray.randn(DType.FLOAT64, new Generator(0x5EED), output.shape()).astype(output.dtype());
        Tensor[] checked = Arrays.stream(inputs).filter(Tensor::requiresGrad).toArray(Tensor[]::new);
        if (checked.length == 0) {
            throw new IllegalArgumentException("GradCheck: no input requires grad, so there is nothing to check");
        }
        Tensor[] analytic = output.requiresGrad()
                ? Autograd.grad(new Tensor[] {output}, checked, new Tensor[] {Tensor.of(weights)}, false, false)
                : Arrays.stream(checked).map(t -> Tensor.of(t.data().zerosLike())).toArray(Tensor[]::new);
        Result worst = new Result(true, op, -1, new int[0], 0, 0, 0);
        for (int c = 0; c < checked.length; c++) {
            NDArray x = checked[c].data();
            double[] expected = analytic[c].data().toDoubleArray();
            int position = Arrays.asList(inputs).indexOf(checked[c]);
            for (int j = 0; j < x.size(); j++) {
                int[] index = unravel(j, x.shape());
                double original = x.get(index);
                double up;
                double down;
                try (GradMode.Scope ignored = GradMode.noGrad()) {
                    x.set(original + step, index);
                    up = weightedSum(f.apply(inputs), weights);
                    x.set(original - step, index);
                    down = weightedSum(f.apply(inputs), weights);
                } finally {
                    x.set(original, index);
                }
                double numeric = (up - down) / (2 * step);
                double error = Math.abs(expected[j] - numeric) / Math.max(1, Math.abs(numeric));
                if (Double.isNaN(error) || error > worst.error() || worst.input() < 0) {
                    worst = new Result(false, op, position, index, expected[j], numeric, Double.isNaN(error) ? Double.POSITIVE_INFINITY : error);
                }
            }
        }
        return new Result(worst.error() <= tolerance, op, worst.input(), worst.index(), worst.analytic(), worst.numeric(), worst.error());
    }

    /**
     * Checks the derivatives of f's gradient: the scalar {@code sum_i grad_i(L) * s_i} (with fixed
     * random s) is differentiated by double backward and compared with finite differences.
     */
    public static Result checkSecondOrder(TensorFunction f, Tensor... inputs) {
        Tensor[] checked = Arrays.stream(inputs).filter(Tensor::requiresGrad).toArray(Tensor[]::new);
        TensorFunction gradientProjection = in -> {
            // the finite differences evaluate this under noGrad, but it needs a graph to take gradients
            try (GradMode.Scope ignored = GradMode.enableGrad()) {
                return projectedGradient(f, in, checked);
            }
        };
        return check(gradientProjection, inputs);
    }

    /** sum_i grad_i(sum(f(in) * w)) * s_i, recorded so it can be differentiated again. */
    private static Tensor projectedGradient(TensorFunction f, Tensor[] in, Tensor[] checked) {
        Tensor output = f.apply(in);
        Tensor weights = Tensor.of(NDArray.randn(DType.FLOAT64, new Generator(0x5EED), output.shape()));
        Tensor[] grads = Autograd.grad(new Tensor[] {output}, checked, new Tensor[] {weights}, true, true);
        Tensor total = null;
        Generator directions = new Generator(0xD0B1E);
        for (Tensor g : grads) {
            Tensor term = g.mul(Tensor.of(NDArray.randn(DType.FLOAT64, directions, g.shape()))).sum();
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    private static double weightedSum(Tensor output, NDArray weights) {
        return output.data().astype(DType.FLOAT64).mul(weights).sum().item();
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
