package dev.descent.examples;

import dev.descent.autograd.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * The 2-D functions of {@code descent landscape}, each with the window it is drawn in, a
 * default start, its minimizer (or saddle) and optimizers that show its character.
 *
 * @param residuals null unless f = &Vert;residuals&Vert;&sup2; (then Gauss-Newton and LM apply)
 */
record TestFunction(String name, String description, Function<Tensor, Tensor> value, Function<Tensor, Tensor> residuals,
                    double[] start, double[] window, double[] special, String defaultOptimizers) {

    static final List<String> NAMES = List.of("rosenbrock", "beale", "saddle", "quadratic");

    static TestFunction named(String name) {
        return switch (name) {
            case "rosenbrock" -> new TestFunction(name, "Rosenbrock: (1 - x)^2 + 100 (y - x^2)^2", p -> squares(rosenbrockResiduals(p)),
                    TestFunction::rosenbrockResiduals, new double[] {-1.5, 2}, new double[] {-2, 2, -1, 3}, new double[] {1, 1},
                    "sgd:lr=1e-3;sgd:lr=2e-4,momentum=0.9;adam:lr=0.05;lbfgs:lineSearch=strong_wolfe;newton;lm");
            case "beale" -> new TestFunction(name, "Beale: sum over c = 1.5, 2.25, 2.625 of (c - x + x y^k)^2", p -> squares(bealeResiduals(p)),
                    TestFunction::bealeResiduals, new double[] {1, 1.5}, new double[] {-4.5, 4.5, -4.5, 4.5}, new double[] {3, 0.5},
                    "sgd:lr=1e-3;sgd:lr=1e-4,momentum=0.9;adam:lr=0.05;lbfgs:lineSearch=strong_wolfe;newton;lm");
            case "saddle" -> new TestFunction(name, "a saddle: x^2 - y^2", p -> x(p).square().sub(y(p).square()), null,
                    new double[] {-1.5, 0.01}, new double[] {-2, 2, -2, 2}, new double[] {0, 0},
                    "sgd:lr=0.05;sgd:lr=0.02,momentum=0.9;adam:lr=0.05;newton");
            case "quadratic" -> new TestFunction(name, "an ill-conditioned quadratic: (x^2 + 50 y^2) / 2, condition number 50",
                    p -> squares(quadraticResiduals(p)), TestFunction::quadraticResiduals, new double[] {-1.8, 0.6},
                    new double[] {-2, 2, -1, 1}, new double[] {0, 0},
                    "sgd:lr=0.038;sgd:lr=0.01,momentum=0.9;adam:lr=0.05;lbfgs:lineSearch=strong_wolfe;newton");
            default -> throw new UsageException("landscape: unknown --function '" + name + "' (valid: " + String.join(", ", NAMES) + ")");
        };
    }

    private static Tensor x(Tensor p) {
        return p.select(0, 0);
    }

    private static Tensor y(Tensor p) {
        return p.select(0, 1);
    }

    private static Tensor squares(Tensor residuals) {
        return residuals.square().sum();
    }

    private static Tensor rosenbrockResiduals(Tensor p) {
        return Tensor.stack(0, x(p).neg().add(1), y(p).sub(x(p).square()).mul(10));
    }

    private static Tensor bealeResiduals(Tensor p) {
        Tensor x = x(p);
        Tensor y = y(p);
        return Tensor.stack(0, x.mul(y).sub(x).add(1.5), x.mul(y.square()).sub(x).add(2.25), x.mul(y.pow(3)).sub(x).add(2.625));
    }

    private static Tensor quadraticResiduals(Tensor p) {
        return Tensor.stack(0, x(p).mul(Math.sqrt(0.5)), y(p).mul(5));
    }

    /** f at (x, y), in float64 without a graph (for drawing). */
    double at(double x, double y) {
        try (dev.descent.autograd.GradMode.Scope ignored = dev.descent.autograd.GradMode.noGrad()) {
            return value.apply(Tensor.of(new double[] {x, y}, 2)).item();
        }
    }
}
