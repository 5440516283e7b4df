package dev.descent.optim.secondorder;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.CommonHyperparameters;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.LossClosure;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ParameterVector;
import dev.descent.optim.ParameterVectorOptimizer;
import dev.descent.optim.StepResult;
import dev.descent.optim.StopReason;
import dev.descent.optim.linesearch.LineSearch;
import dev.descent.optim.linesearch.LineSearchResult;
import java.util.List;
import java.util.Map;

/**
 * The loop L-BFGS and BFGS share, shaped as {@code torch.optim.LBFGS.step}: up to
 * {@code maxIter} iterations per {@link #step(LossClosure)}, each a direction d = &minus;H g from
 * the subclass's inverse-Hessian model, a step (a fixed lr, or a line search), and the curvature
 * pair s = t d, y = &Delta;g handed to the model when y&#x1D40;s &gt; 1e-10. Stops on
 * max|g| &le; toleranceGrad, max|t d| &le; toleranceChange, |&Delta;f| &lt; toleranceChange, or the
 * iteration and evaluation caps.
 *
 * <p>Everything that carries over from one step to the next is optimizer state, kept (as in
 * torch) in the state of the first parameter: the direction {@code d}, the step {@code t}, the
 * previous gradient {@code prev_flat_grad}, the counters {@code n_iter} and {@code func_evals},
 * and the subclass's model (L-BFGS's curvature pairs, BFGS's matrix). So {@link #stateDict()}
 * and {@link #loadStateDict} resume a run exactly. The loop works on host copies of those arrays
 * for speed and writes each change back into the state as it makes it.
 */
public abstract class QuasiNewtonOptimizer extends ParameterVectorOptimizer {
    public static final Hyperparameter<Integer> MAX_ITER = Hyperparameter.integer("maxIter", 20, Hyperparameter.Rule.AT_LEAST_ONE,
            "iterations per step");
    public static final Hyperparameter<Integer> MAX_EVAL = Hyperparameter.integer("maxEval", 0, Hyperparameter.Rule.NON_NEGATIVE,
            "closure evaluations per step (0: maxIter * 5 / 4, torch's default)");
    public static final Hyperparameter<Double> TOLERANCE_GRAD = Hyperparameter.number("toleranceGrad", 1e-7, Hyperparameter.Rule.NON_NEGATIVE,
            "stop when max |gradient| is at most this");
    public static final Hyperparameter<Double> TOLERANCE_CHANGE = Hyperparameter.number("toleranceChange", 1e-9,
            Hyperparameter.Rule.NON_NEGATIVE, "stop when the step or the loss change is below this");
    public static final Hyperparameter<String> LINE_SEARCH = Hyperparameter.choice("lineSearch", "none",
            List.of("none", "strong_wolfe", "strongWolfe", "backtracking"), "none (fixed step lr), strong_wolfe or backtracking");

    /** The declarations L-BFGS and BFGS share, followed by {@code extra}. */
    static HyperparameterSpec spec(String owner, String lineSearch, Hyperparameter<?>... extra) {
        Hyperparameter<?>[] all = new Hyperparameter<?>[6 + extra.length];
        all[0] = CommonHyperparameters.lr(1.0);
        all[1] = MAX_ITER;
        all[2] = MAX_EVAL;
        all[3] = TOLERANCE_GRAD;
        all[4] = TOLERANCE_CHANGE;
        all[5] = LINE_SEARCH.withDefault(lineSearch);
        System.arraycopy(extra, 0, all, 6, extra.length);
        return HyperparameterSpec.of(owner, all);
    }

    /** Host copies of the state's arrays (null until the first step or after a load). */
    private double[] direction;
    private double[] previousGradient;
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

    QuasiNewtonOptimizer(HyperparameterSpec spec, OptimizerOptions<?> options, List<? extends Tensor> params) {
        super(spec, options, params);
    }

    /** Forgets every curvature pair (called at the first iteration). */
    abstract void resetModel();

    /** Takes the curvature pair (s, y) with y&#x1D40;s &gt; 0. */
    abstract void remember(double[] s, double[] y, double ys);

    /** &minus;H g for the current inverse-Hessian model H. */
    abstract double[] direction(double[] gradient);

    /** Re-reads the subclass's host copy of its model from the state, after a load. */
    abstract void reloadModel();

    /** Iterations over every call so far. */
    public int iterations() {
        return (int) counter("n_iter");
    }

    /** Closure evaluations over every call so far. */
    public int functionEvaluations() {
        return (int) counter("func_evals");
    }

    private double counter(String key) {
        return stateNumber(key, 0);
    }

    private void addToCounter(String key, int amount) {
        stateArray(modelState(), key, () -> NDArray.scalar(DType.FLOAT64, 0)).addi(amount);
    }


    @Override
    public Tensor step(LossClosure closure) {
        ParamGroup group = paramGroups().get(0);
        double lr = group.lr();
        int maxIter = group.get(MAX_ITER);
        int maxEval = group.get(MAX_EVAL) > 0 ? group.get(MAX_EVAL) : maxIter * 5 / 4;
        double toleranceGrad = group.get(TOLERANCE_GRAD);
        double toleranceChange = group.get(TOLERANCE_CHANGE);
        String searchName = group.get(LINE_SEARCH);
        LineSearch search = searchName.equals("none") ? null : LineSearch.named(searchName);
        Map<String, NDArray> state = modelState();
        ParameterVector theta = theta();

        Tensor originalLoss = evaluateLoss(closure);
        double initialLoss = originalLoss.item();
        double loss = initialLoss;
        int evaluations = 1;
        addToCounter("func_evals", 1);
        double[] gradient = theta.gradients();
        if (Vectors.maxAbs(gradient) <= toleranceGrad) {
            recordStep(new StepResult(initialLoss, loss, 0, evaluations, StopReason.GRADIENT_TOLERANCE));
            return originalLoss;
        }
        if (state.containsKey("d") && direction == null) {
            direction = state.get("d").toDoubleArray();
            previousGradient = state.get("prev_flat_grad").toDoubleArray();
        }
        double stepSize = state.containsKey("t") ? state.get("t").item() : 0;
        StopReason reason = null;
        int iteration = 0;
        while (iteration < maxIter) {
            iteration++;
            addToCounter("n_iter", 1);
            boolean first = iterations() == 1;
            if (first) {
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
            setStateVector("d", direction);
            setStateVector("prev_flat_grad", previousGradient);
            double previousLoss = loss;
            stepSize = (first ? Math.min(1, 1 / Vectors.sumAbs(gradient)) : 1) * lr;
            double slope = Vectors.dot(gradient, direction);
            if (slope > -toleranceChange) {
                reason = StopReason.NOT_DESCENT_DIRECTION;
                break;
            }
            int searchEvaluations = 0;
            boolean gradientSmall = false;
            if (search != null) {
                double[] start = theta.values();
                LineSearchResult found = search.search((x, g) -> {
                    theta.set(x);
                    double value = evaluateLoss(closure).item();
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
                    loss = evaluateLoss(closure).item();
                    gradient = theta.gradients();
                    gradientSmall = Vectors.maxAbs(gradient) <= toleranceGrad;
                    searchEvaluations = 1;
                }
            }
            state.put("t", NDArray.scalar(DType.FLOAT64, stepSize));
            evaluations += searchEvaluations;
            addToCounter("func_evals", searchEvaluations);
            if (listener != null && searchEvaluations > 0) {
                listener.onIteration(iterations(), functionEvaluations(), loss);
            }
            if (iteration == maxIter) {
                reason = StopReason.MAX_ITERATIONS;
                break;
            }
            if (evaluations >= maxEval) {
                reason = StopReason.MAX_EVALUATIONS;
                break;
            }
            if (gradientSmall) {
                reason = StopReason.GRADIENT_TOLERANCE;
                break;
            }
            if (Vectors.maxAbs(direction) * Math.abs(stepSize) <= toleranceChange) {
                reason = StopReason.STEP_TOLERANCE;
                break;
            }
            if (Math.abs(loss - previousLoss) < toleranceChange) {
                reason = StopReason.LOSS_CHANGE_TOLERANCE;
                break;
            }
        }
        recordStep(new StepResult(initialLoss, loss, iteration, evaluations, reason));
        return originalLoss;
    }

    @Override
    protected boolean historyLengthKey(String key) {
        return key.equals("ro");
    }

    @Override
    protected void stateLoaded() {
        super.stateLoaded();
        direction = null;
        previousGradient = null;
        reloadModel();
    }
}
