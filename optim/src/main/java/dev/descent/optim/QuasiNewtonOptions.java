package dev.descent.optim;

/**
 * The settings L-BFGS and BFGS share, with torch.optim.LBFGS's names in camel case: maxIter
 * (iterations per {@code step}), maxEval, toleranceGrad, toleranceChange and lineSearch.
 *
 * @param <T> the concrete options type, so that setters chain
 */
public abstract class QuasiNewtonOptions<T extends QuasiNewtonOptions<T>> extends OptimizerOptions<T> {
    public T maxIter(int value) {
        return set("maxIter", (double) value);
    }

    public T maxEval(int value) {
        return set("maxEval", (double) value);
    }

    public T toleranceGrad(double value) {
        return set("toleranceGrad", value);
    }

    public T toleranceChange(double value) {
        return set("toleranceChange", value);
    }

    /** {@code none}, {@code strong_wolfe} or {@code backtracking}. */
    public T lineSearch(String value) {
        return set("lineSearch", value);
    }
}
