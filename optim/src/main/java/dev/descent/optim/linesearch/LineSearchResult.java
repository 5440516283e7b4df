package dev.descent.optim.linesearch;

/**
 * The outcome of a line search along d from x: the accepted step t, f(x + t d) and its
 * gradient, the function evaluations spent, and whether the search's conditions were met
 * (when not, the best point found is returned).
 */
public record LineSearchResult(double step, double value, double[] gradient, int evaluations, boolean satisfied) {
}
