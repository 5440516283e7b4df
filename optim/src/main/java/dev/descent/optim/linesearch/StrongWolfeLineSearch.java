package dev.descent.optim.linesearch;

import dev.descent.core.linalg.Vectors;

/**
 * A step satisfying the strong Wolfe conditions (Nocedal and Wright, <i>Numerical
 * Optimization</i>, algorithms 3.5 and 3.6), with &phi;(t) = f(x + t d):
 * <pre>
 *   sufficient decrease:  &phi;(t) &le; &phi;(0) + c&#x2081; t &phi;'(0)
 *   curvature:            |&phi;'(t)| &le; c&#x2082; |&phi;'(0)|
 * </pre>
 * Phase 1 (bracketing) grows t, each new trial the minimizer of the cubic through the last two
 * points, kept in [t + 0.01 (t &minus; t&#x208B;), 10 t], until a trial fails sufficient decrease,
 * stops decreasing, or has &phi;' &ge; 0: then [t&#x208B;, t] holds an acceptable step. Phase 2 (zoom)
 * shrinks that bracket by cubic interpolation, keeping each trial at least a tenth of the
 * bracket away from its ends when the previous trial made too little progress. The search ends
 * when the bracket is shorter than {@code toleranceChange} (in max-norm of t d) or after
 * {@code maxIterations} trials, returning the lowest point bracketed.
 * <p>
 * Defaults c&#x2081; = 1e-4, c&#x2082; = 0.9, toleranceChange 1e-9, 25 trials: those of
 * {@code torch.optim.LBFGS(line_search_fn="strong_wolfe")}, whose trial sequence this follows,
 * so step counts can be compared with it.
 */
public final class StrongWolfeLineSearch implements LineSearch {
    private final double c1;
    private final double c2;
    private final double toleranceChange;
    private final int maxIterations;

    public StrongWolfeLineSearch() {
        this(1e-4, 0.9, 1e-9, 25);
    }

    public StrongWolfeLineSearch(double c1, double c2, double toleranceChange, int maxIterations) {
        if (!(0 < c1 && c1 < c2 && c2 < 1) || !(toleranceChange >= 0) || maxIterations < 1) {
            throw new IllegalArgumentException("StrongWolfeLineSearch: expected 0 < c1 < c2 < 1, toleranceChange >= 0, maxIterations >= 1;"
                    + " got " + c1 + ", " + c2 + ", " + toleranceChange + ", " + maxIterations);
        }
        this.c1 = c1;
        this.c2 = c2;
        this.toleranceChange = toleranceChange;
        this.maxIterations = maxIterations;
    }

    /** One evaluated point of &phi;: step, value, gradient of f there, and slope &phi;'. */
    private record Point(double step, double value, double[] gradient, double slope) {
    }

    @Override
    public LineSearchResult search(Objective f, double[] x, double[] direction, double initialStep, double value, double[] gradient) {
        double slope0 = Vectors.dot(gradient, direction);
        if (!(slope0 < 0)) {
            throw new IllegalArgumentException("StrongWolfeLineSearch: d is not a descent direction (gradient . d = " + slope0 + ")");
        }
        double directionSize = Vectors.maxAbs(direction);
        Point start = new Point(0, value, gradient.clone(), slope0);
        int evaluations = 0;
        int iterations = 0;

        Point previous = start;
        Point current = evaluate(f, x, direction, initialStep);
        evaluations++;
        Point low;
        Point high;
        boolean done = false;
        while (true) {
            if (iterations == maxIterations) {
                low = start;
                high = current;
                break;
            }
            if (current.value > value + c1 * current.step * slope0 || (iterations > 1 && current.value >= previous.value)) {
                low = previous;
                high = current;
                break;
            }
            if (Math.abs(current.slope) <= -c2 * slope0) {
                low = current;
                high = current;
                done = true;
                break;
            }
            if (current.slope >= 0) {
                low = previous;
                high = current;
                break;
            }
            double next = cubicMinimizer(previous, current, current.step + 0.01 * (current.step - previous.step), current.step * 10);
            previous = current;
            current = evaluate(f, x, direction, next);
            evaluations++;
            iterations++;
        }

        // Zoom: 'low' is the end with the lower value, 'high' the other one.
        if (high.value < low.value) {
            Point swap = low;
            low = high;
            high = swap;
        }
        boolean insufficientProgress = false;
        while (!done && iterations < maxIterations) {
            if (Math.abs(high.step - low.step) * directionSize < toleranceChange) {
                break;
            }
            double left = Math.min(low.step, high.step);
            double right = Math.max(low.step, high.step);
            double t = cubicMinimizer(low, high, left, right);
            double margin = 0.1 * (right - left);
            if (Math.min(right - t, t - left) < margin) {
                if (insufficientProgress || t >= right || t <= left) {
                    t = Math.abs(t - right) < Math.abs(t - left) ? right - margin : left + margin;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }
            Point trial = evaluate(f, x, direction, t);
            evaluations++;
            iterations++;
            if (trial.value > value + c1 * t * slope0 || trial.value >= low.value) {
                high = trial;
            } else {
                if (Math.abs(trial.slope) <= -c2 * slope0) {
                    done = true;
                } else if (trial.slope * (high.step - low.step) >= 0) {
                    high = low;
                }
                low = trial;
            }
            if (high.value < low.value) {
                Point swap = low;
                low = high;
                high = swap;
            }
        }
        return new LineSearchResult(low.step, low.value, low.gradient, evaluations, done);
    }

    private static Point evaluate(Objective f, double[] x, double[] direction, double t) {
        double[] g = new double[x.length];
        double v = f.evaluate(Vectors.along(x, t, direction), g);
        return new Point(t, v, g, Vectors.dot(g, direction));
    }

    /**
     * The minimizer of the cubic matching value and slope at both points, clamped to
     * [lowerBound, upperBound]; the interval's midpoint when the cubic has no minimizer.
     */
    static double cubicMinimizer(Point a, Point b, double lowerBound, double upperBound) {
        double d1 = a.slope + b.slope - 3 * (a.value - b.value) / (a.step - b.step);
        double discriminant = d1 * d1 - a.slope * b.slope;
        if (discriminant < 0 || Double.isNaN(discriminant)) {
            return (lowerBound + upperBound) / 2;
        }
        double d2 = Math.sqrt(discriminant);
        double t = a.step <= b.step
                ? b.step - (b.step - a.step) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2))
                : a.step - (a.step - b.step) * ((a.slope + d2 - d1) / (a.slope - b.slope + 2 * d2));
        return Math.min(Math.max(t, lowerBound), upperBound);
    }
}
