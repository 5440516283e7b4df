package dev.descent.optim;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import java.util.List;
import java.util.Map;

/**
 * The loop L-BFGS and BFGS share, shaped as {@code torch.optim.LBFGS.step}: up to
 * {@code maxIter} iterations per {@link #step(LossClosure)}, each a direction d = &minus;H g from
 * the subclass's inverse-Hessian model, a step (a fixed lr, or a strong Wolfe search), and
 * the curvature pair s = t d, y = &Delta;g handed to the model when y&#x1D40;s &gt; 1e-10.
 * Stops on max|g| &le; toleranceGrad, max|t d| &le; toleranceChange, |&Delta;f| &lt; toleranceChange,
 * or the iteration and evaluation caps; the model and direction persist between calls.
 */
public abstract class QuasiNewtonOptimizer extends Optimizer {
    /** Why the last {@link #step(LossClosure)} returned. */
    public enum StopReason {
        GRADIENT_TOLERANCE, STEP_TOLERANCE, LOSS_CHANGE_TOLERANCE, MAX_ITERATIONS, MAX_EVALUATIONS, NOT_DESCENT_DIRECTION
    }

    private final ParameterVector theta;
    private int totalIterations;
    private int totalEvaluations;
    private double[] direction;
    private double stepSize;
    private double[] previousGradient;
    private StopReason lastStop;
    private IterationListener listener;

    /** Told the loss after every iteration (for progress and convergence plots). */
    @FunctionalInterface
    public interface IterationListener {
        void onIteration(int iteration, int evaluations, double loss);
    }

    /** Sets the listener told of every iteration (null for none). */
    public void onIteration(IterationListener listener) {
        this.listener = listener;
    }

    QuasiNewtonOptimizer(String name, Hyperparameters defaults, OptimizerOptions<?> options, List<? extends Tensor> params) {
        super(name, defaults, options, single(params));
        this.theta = ParameterVector.of(params);
    }

    static Hyperparameters commonDefaults(Object... extra) {
        Object[] common = {"lr", 1.0, "maxIter", 20.0, "maxEval", -1.0, "toleranceGrad", 1e-7, "toleranceChange", 1e-9, "lineSearch", "none"};
        Object[] all = new Object[common.length + extra.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(extra, 0, all, common.length, extra.length);
        return Hyperparameters.of(all);
    }

    @Override
    protected void validate(ParamGroup group) {
        requireAtLeastZero(group, "lr");
        requireAtLeastZero(group, "toleranceGrad");
        requireAtLeastZero(group, "toleranceChange");
        if (group.getDouble("maxIter") < 1) {
            throw new IllegalArgumentException(name() + ": maxIter must be at least 1, got " + group.getDouble("maxIter"));
        }
        String search = group.getString("lineSearch");
        if (!search.equals("none")) {
            LineSearch.named(search);
        }
    }

    /** Forgets every curvature pair (called at the first iteration). */
    abstract void resetModel();

    /** Takes the curvature pair (s, y) with y&#x1D40;s &gt; 0. */
    abstract void remember(double[] s, double[] y, double ys);

    /** &minus;H g for the current inverse-Hessian model H. */
    abstract double[] direction(double[] gradient);

    @Override
    protected final void update(NDArray param, NDArray grad, ParamGroup group, Map<String, NDArray> state) {
        throw new UnsupportedOperationException(name() + " updates all parameters together in step(closure)");
    }

    /** Refused: a quasi-Newton step re-evaluates the loss, so it needs {@link #step(LossClosure)}. */
    @Override
    public void step() {
        throw new IllegalStateException(name() + ": step() needs a closure that re-evaluates the loss and its gradients; use step(closure)");
    }

    /** Iterations over every call so far. */
    public int iterations() {
        return totalIterations;
    }

    /** Closure evaluations over every call so far. */
    public int functionEvaluations() {
        return totalEvaluations;
    }

    /** Why the last step returned (null before the first). */
    public StopReason lastStopReason() {
        return lastStop;
    }

    @Override
    public Tensor step(LossClosure closure) {
        if (closure == null) {
            step();
        }
        ParamGroup group = paramGroups().get(0);
        double lr = group.lr();
        int maxIter = (int) group.getDouble("maxIter");
        int maxEval = group.getDouble("maxEval") > 0 ? (int) group.getDouble("maxEval") : maxIter * 5 / 4;
        double toleranceGrad = group.getDouble("toleranceGrad");
        double toleranceChange = group.getDouble("toleranceChange");
        String searchName = group.getString("lineSearch");
        LineSearch search = searchName.equals("none") ? null : LineSearch.named(searchName);

        Tensor originalLoss = evaluate(closure);
        double loss = originalLoss.item();
        int evaluations = 1;
        totalEvaluations++;
        double[] gradient = theta.gradients();
        if (Vectors.maxAbs(gradient) <= toleranceGrad) {
            lastStop = StopReason.GRADIENT_TOLERANCE;
            return originalLoss;
        }
        int iteration = 0;
        while (iteration < maxIter) {
            iteration++;
            totalIterations++;
            if (totalIterations == 1) {
                direction = Vectors.scaled(-1, gradient);
                resetModel();
            } else {
                double[] y = Vectors.minus(gradient, previousGradient);
                double[] s = Vectors.scaled(stepSize, direction);
                double ys = Vectors.dot(y, s);
                if (ys > 1e-10) {
                    remember(s, y, ys);
                }
                direction = direction(gradient);
            }
            previousGradient = gradient.clone();
            double previousLoss = loss;
            stepSize = (totalIterations == 1 ? Math.min(1, 1 / Vectors.sumAbs(gradient)) : 1) * lr;
            double slope = Vectors.dot(gradient, direction);
            if (slope > -toleranceChange) {
                lastStop = StopReason.NOT_DESCENT_DIRECTION;
                break;
            }
            int searchEvaluations = 0;
            boolean gradientSmall = false;
            if (search != null) {
                double[] start = theta.values();
                LineSearchResult found = search.search((x, g) -> {
                    theta.set(x);
                    double value = evaluate(closure).item();
                    System.arraycopy(theta.gradients(), 0, g, 0, g.length);
                    return value;
                }, start, direction, stepSize, loss, gradient);
                stepSize = found.step();
                theta.set(Vectors.along(start, stepSize, direction));
                loss = found.value();
                gradient = found.gradient();
                searchEvaluations = found.evaluations();
                gradientSmall = Vectors.maxAbs(gradient) <= toleranceGrad;
            } else {
                theta.add(stepSize, direction);
                if (iteration != maxIter) {
                    loss = evaluate(closure).item();
                    gradient = theta.gradients();
                    gradientSmall = Vectors.maxAbs(gradient) <= toleranceGrad;
                    searchEvaluations = 1;
                }
            }
            evaluations += searchEvaluations;
            totalEvaluations += searchEvaluations;
            if (listener != null && searchEvaluations > 0) {
                listener.onIteration(totalIterations, totalEvaluations, loss);
            }
            if (iteration == maxIter) {
                lastStop = StopReason.MAX_ITERATIONS;
                break;
            }
            if (evaluations >= maxEval) {
                lastStop = StopReason.MAX_EVALUATIONS;
                break;
            }
            if (gradientSmall) {
                lastStop = StopReason.GRADIENT_TOLERANCE;
                break;
            }
            if (Vectors.maxAbs(direction) * Math.abs(stepSize) <= toleranceChange) {
                lastStop = StopReason.STEP_TOLERANCE;
                break;
            }
            if (Math.abs(loss - previousLoss) < toleranceChange) {
                lastStop = StopReason.LOSS_CHANGE_TOLERANCE;
                break;
            }
        }
        return originalLoss;
    }

    private static Tensor evaluate(LossClosure closure) {
        try (GradMode.Scope ignored = GradMode.enableGrad()) {
            return closure.evaluate();
        }
    }
}
