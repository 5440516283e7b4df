package dev.descent.optim.secondorder;

import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.OptimizerOptions;

/**
 * The settings L-BFGS and BFGS share, with torch.optim.LBFGS's names in camel case: maxIter
 * (iterations per {@code step}), maxEval, toleranceGrad, toleranceChange and lineSearch.
 *
 * @param <T> the concrete options type, so that setters chain
 */
public abstract class QuasiNewtonOptions<T extends QuasiNewtonOptions<T>> extends OptimizerOptions<T> {
    protected QuasiNewtonOptions(HyperparameterSpec spec) { super(spec); }

    public T maxIter(int value) { return set(QuasiNewtonOptimizer.MAX_ITER, value); }

    public T maxEval(int value) { return set(QuasiNewtonOptimizer.MAX_EVAL, value); }

    public T toleranceGrad(double value) { return set(QuasiNewtonOptimizer.TOLERANCE_GRAD, value); }

    public T toleranceChange(double value) { return set(QuasiNewtonOptimizer.TOLERANCE_CHANGE, value); }

    /** {@code none}, {@code strong_wolfe} or {@code backtracking}. */
    public T lineSearch(String value) { return set(QuasiNewtonOptimizer.LINE_SEARCH, value); }
}
