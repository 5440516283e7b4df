package dev.descent.optim.linesearch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.linalg.Vectors;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LineSearchTest {
    /** The 2-D Rosenbrock function with its gradient in closed form. */
    static final Objective ROSENBROCK = (x, gradient) -> {
        double a = 1 - x[0];
        double b = x[1] - x[0] * x[0];
        gradient[0] = -2 * a - 400 * x[0] * b;
        gradient[1] = 200 * b;
        return a * a + 100 * b * b;
    };

    @Test
    void strongWolfeStepsSatisfyBothConditionsFromRandomPoints() {
        Random random = new Random(5);
        StrongWolfeLineSearch search = new StrongWolfeLineSearch();
        for (int trial = 0; trial < 200; trial++) {
            double[] x = {random.nextDouble() * 4 - 2, random.nextDouble() * 4 - 1};
            double[] g = new double[2];
            double f = ROSENBROCK.evaluate(x, g);
            double[] d = {-g[0], -g[1]};
            double slope = Vectors.dot(g, d);
            double initial = Math.pow(10, random.nextDouble() * 6 - 5);
            LineSearchResult r = search.search(ROSENBROCK, x, d, initial, f, g);
            double[] check = new double[2];
            double value = ROSENBROCK.evaluate(Vectors.along(x, r.step(), d), check);
            assertEquals(value, r.value(), 1e-12 * Math.max(1, Math.abs(value)), "the reported value is f there");
            assertArrayEquals(check, r.gradient(), 1e-9 * Math.max(1, Vectors.maxAbs(check)));
            if (r.satisfied()) {
                assertTrue(value <= f + 1e-4 * r.step() * slope, "sufficient decrease, trial " + trial);
                assertTrue(Math.abs(Vectors.dot(check, d)) <= 0.9 * Math.abs(slope) + 1e-12, "curvature, trial " + trial);
            } else {
                assertTrue(value <= f, "an unsatisfied search still returns no worse a point");
            }
        }
    }

    @Test
    void strongWolfeFindsTheExactMinimizerOfAQuadraticAlongALineWithTightCurvature() {
        // f(x) = x^T A x / 2 along d from x0: the exact step is -g.d / d.A.d, and c2 = 0.01 forces it to 1%.
        double[][] a = {{3, 1}, {1, 2}};
        Objective quadratic = (x, g) -> {
            g[0] = a[0][0] * x[0] + a[0][1] * x[1];
            g[1] = a[1][0] * x[0] + a[1][1] * x[1];
            return 0.5 * (x[0] * g[0] + x[1] * g[1]);
        };
        double[] x = {2, -1};
        double[] g = new double[2];
        double f = quadratic.evaluate(x, g);
        double[] d = {-g[0], -g[1]};
        double dad = d[0] * (a[0][0] * d[0] + a[0][1] * d[1]) + d[1] * (a[1][0] * d[0] + a[1][1] * d[1]);
        double exact = -Vectors.dot(g, d) / dad;
        LineSearchResult r = new StrongWolfeLineSearch(1e-4, 0.01, 1e-12, 50).search(quadratic, x, d, 1, f, g);
        assertTrue(r.satisfied());
        assertEquals(exact, r.step(), 0.01 * exact);
    }

    @Test
    void backtrackingHalvesUntilArmijoHolds() {
        double[] x = {-1.5, 2};
        double[] g = new double[2];
        double f = ROSENBROCK.evaluate(x, g);
        double[] d = {-g[0], -g[1]};
        LineSearchResult r = new BacktrackingLineSearch().search(ROSENBROCK, x, d, 1, f, g);
        assertTrue(r.satisfied());
        double slope = Vectors.dot(g, d);
        assertTrue(r.value() <= f + 1e-4 * r.step() * slope);
        // The step is a power of 1/2 and twice it would have failed the condition.
        double exponent = -Math.log(r.step()) / Math.log(2);
        assertEquals(Math.rint(exponent), exponent, 1e-12);
        double doubled = ROSENBROCK.evaluate(Vectors.along(x, 2 * r.step(), d), new double[2]);
        assertTrue(doubled > f + 1e-4 * 2 * r.step() * slope);
        assertEquals((int) Math.rint(exponent) + 1, r.evaluations());
        assertThrows(IllegalArgumentException.class, () -> new BacktrackingLineSearch().search(ROSENBROCK, x, g, 1, f, g),
                "an ascent direction is refused");
    }
}
