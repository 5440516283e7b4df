package dev.descent.optim.linesearch;

/**
 * A smooth function f: &#x211D;&#x207F; &rarr; &#x211D; with its gradient, the interface of the line
 * searches and of the full-batch methods' inner loops.
 *
 * <pre>{@code
 * Objective rosenbrock = (x, gradient) -> {
 *     double a = 1 - x[0], b = x[1] - x[0] * x[0];
 *     gradient[0] = -2 * a - 400 * x[0] * b;
 *     gradient[1] = 200 * b;
 *     return a * a + 100 * b * b;
 * };
 * }</pre>
 */
@FunctionalInterface
public interface Objective {
    /** f(x), writing &nabla;f(x) into {@code gradient} (same length as x); must not modify x. */
    double evaluate(double[] x, double[] gradient);
}
