package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.Mnist;
import dev.descent.data.Standardize;
import dev.descent.data.TensorDataset;
import dev.descent.nn.Losses;
import java.util.List;
import java.util.function.Function;

/**
 * The full-batch problems of {@code descent second-order}: fresh parameters from a fixed start,
 * the loss of them, the residuals when the loss is a sum of squares (so that Gauss-Newton and
 * Levenberg-Marquardt apply), and learning rates that work for the first-order methods.
 *
 * @param residuals null unless loss = &Vert;residuals&Vert;&sup2;
 */
record OptimizationProblem(String name, String description, java.util.function.Supplier<List<Tensor>> start,
                           Function<List<Tensor>, Tensor> loss, Function<List<Tensor>, Tensor> residuals,
                           double gradientDescentLr, double momentumLr, double adamLr, int defaultIterations) {

    static final List<String> NAMES = List.of("rosenbrock", "linear", "logistic", "curve");

    static OptimizationProblem named(String name) {
        return switch (name) {
            case "rosenbrock" -> rosenbrock();
            case "linear" -> linearRegression();
            case "logistic" -> logisticRegression();
            case "curve" -> sineNetwork();
            default -> throw new UsageException("second-order: unknown --problem '" + name + "' (valid: " + String.join(", ", NAMES) + ")");
        };
    }

    /** (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2); residuals (1 - x, 10 (y - x^2)). */
    static OptimizationProblem rosenbrock() {
        Function<List<Tensor>, Tensor> residuals = p -> {
            Tensor u = p.get(0).select(0, 0);
            Tensor v = p.get(0).select(0, 1);
            return Tensor.stack(0, u.neg().add(1), v.sub(u.square()).mul(10));
        };
        return new OptimizationProblem("rosenbrock", "2-D Rosenbrock function from (-1.5, 2)",
                () -> List.of(Tensor.of(new double[] {-1.5, 2}, 2).requiresGrad(true)),
                p -> residuals.apply(p).square().sum(), residuals, 5e-4, 1e-4, 0.02, 2000);
    }

    /**
     * Least squares on 1,000 synthetic samples of 20 features whose scales run from 1 to 10
     * (condition number about 100), targets X w* + 3 + noise 0.1; loss the mean squared error.
     */
    static OptimizationProblem linearRegression() {
        int m = 1000;
        int d = 20;
        Generator g = new Generator(11);
        double[] scales = new double[d];
        for (int j = 0; j < d; j++) {
            scales[j] = Math.pow(10, (double) j / (d - 1));
        }
        NDArray features = NDArray.randn(DType.FLOAT64, g, m, d).mul(NDArray.of(scales, d));
        NDArray truth = NDArray.randn(DType.FLOAT64, g, d);
        NDArray targets = features.matmul(truth).add(3).add(NDArray.randn(DType.FLOAT64, g, m).mul(0.1));
        Tensor x = Tensor.of(features);
        Tensor y = Tensor.of(targets);
        double root = Math.sqrt(m);
        Function<List<Tensor>, Tensor> residuals = p -> x.matmul(p.get(0)).add(p.get(1)).sub(y).div(root);
        return new OptimizationProblem("linear", "linear regression, 1,000 samples x 20 features of scales 1..10",
                () -> List.of(Tensor.zeros(d).astype(DType.FLOAT64).requiresGrad(true), Tensor.scalar(DType.FLOAT64, 0).requiresGrad(true)),
                p -> residuals.apply(p).square().sum(), residuals, 4e-3, 1e-3, 0.05, 500);
    }

    /** Softmax regression (784 -> 10) on the first 10,000 MNIST training images, standardized per pixel. */
    static OptimizationProblem logisticRegression() {
        int n = 10_000;
        TensorDataset all = Mnist.train().toTensorDataset(MnistPreprocessing.prepare(false));
        NDArray raw = all.fields()[0].narrow(0, 0, n).reshape(n, 784);
        Tensor x = Tensor.of(Standardize.fit(raw).apply(raw));
        Tensor y = Tensor.of(all.fields()[1].narrow(0, 0, n));
        return new OptimizationProblem("logistic", "logistic regression on 10,000 standardized MNIST images (7,850 parameters)",
                () -> List.of(Tensor.zeros(784, 10).requiresGrad(true), Tensor.zeros(10).requiresGrad(true)),
                p -> Losses.crossEntropy(x.matmul(p.get(0)).add(p.get(1)), y), null, 0.1, 0.02, 0.01, 100);
    }

    /** A 1-16-1 tanh network fitting sin x on 200 points of [-pi, pi]; loss the mean squared error. */
    static OptimizationProblem sineNetwork() {
        int points = 200;
        double[] grid = new double[points];
        for (int i = 0; i < points; i++) {
            grid[i] = -Math.PI + 2 * Math.PI * i / (points - 1);
        }
        Tensor x = Tensor.of(NDArray.of(grid, points, 1));
        Tensor y = x.reshape(-1).sin();
        double root = Math.sqrt(points);
        Function<List<Tensor>, Tensor> residuals = p -> x.matmul(p.get(0).t()).add(p.get(1)).tanh().matmul(p.get(2).t()).add(p.get(3))
                .reshape(-1).sub(y).div(root);
        return new OptimizationProblem("curve", "curve fitting: a 1-16-1 tanh network fitting sin x on 200 points (49 parameters)",
                () -> {
                    Generator g = new Generator(0);
                    return List.of(Tensor.of(NDArray.rand(DType.FLOAT64, g, 16, 1).mul(2).sub(1)).requiresGrad(true),
                            Tensor.of(NDArray.rand(DType.FLOAT64, g, 16).mul(2).sub(1)).requiresGrad(true),
                            Tensor.of(NDArray.rand(DType.FLOAT64, g, 1, 16).mul(0.5).sub(0.25)).requiresGrad(true),
                            Tensor.of(NDArray.rand(DType.FLOAT64, g, 1).mul(0.5).sub(0.25)).requiresGrad(true));
                },
                p -> residuals.apply(p).square().sum(), residuals, 0.1, 0.02, 0.03, 2000);
    }
}
