package dev.descent.optim.linesearch;

import dev.descent.core.linalg.Vectors;
import dev.descent.optim.secondorder.Newton;

/**
 * Backtracking under the Armijo (sufficient decrease) condition:
 * <pre>
 *   t &larr; initialStep
 *   while f(x + t d) &gt; f(x) + c&#x2081; t &nabla;f(x)&#x1D40;d:   t &larr; &rho; t
 * </pre>
 * Defaults c&#x2081; = 1e-4, &rho; = 0.5, at most 50 evaluations. Simple and robust; it never
 * lengthens a step, so it suits methods whose natural step is 1 (Newton, Gauss-Newton).
 */
public final class BacktrackingLineSearch implements LineSearch {
    private final double c1;
    private final double shrink;
    private final int maxEvaluations;

    public BacktrackingLineSearch() {
        this(1e-4, 0.5, 50);
    }

    public BacktrackingLineSearch(double c1, double shrink, int maxEvaluations) {
        if (!(c1 > 0 && c1 < 1) || !(shrink > 0 && shrink < 1) || maxEvaluations < 1) {
            throw new IllegalArgumentException("BacktrackingLineSearch: expected 0 < c1 < 1, 0 < shrink < 1, maxEvaluations >= 1; got "
                    + c1 + ", " + shrink + ", " + maxEvaluations);
        }
        this.c1 = c1;
        this.shrink = shrink;
        this.maxEvaluations = maxEvaluations;
    }

    @Override
    public LineSearchResult search(Objective f, double[] x, double[] direction, double initialStep, double value, double[] gradient) {
        double slope = Vectors.dot(gradient, direction);
        if (!(slope < 0)) {
            throw new IllegalArgumentException("BacktrackingLineSearch: d is not a descent direction (gradient . d = " + slope + ")");
        }
        double t = initialStep;
        double bestStep = 0;
        double bestValue = value;
        double[] bestGradient = gradient.clone();
        for (int evaluation = 1; evaluation <= maxEvaluations; evaluation++) {
            double[] g = new double[x.length];
            double trial = f.evaluate(Vectors.along(x, t, direction), g);
            if (trial <= value + c1 * t * slope) {
                return new LineSearchResult(t, trial, g, evaluation, true);
            }
            if (trial < bestValue) {
                bestStep = t;
                bestValue = trial;
                bestGradient = g;
            }
            t *= shrink;
        }
        return new LineSearchResult(bestStep, bestValue, bestGradient, maxEvaluations, false);
    }
}
