package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.Descent;
import dev.descent.optim.Adam;
import dev.descent.optim.GaussNewton;
import dev.descent.optim.LBFGS;
import dev.descent.optim.LeastSquaresOptions;
import dev.descent.optim.LeastSquaresSolver;
import dev.descent.optim.LevenbergMarquardt;
import dev.descent.optim.Newton;
import dev.descent.optim.NewtonCG;
import dev.descent.optim.Optimizer;
import dev.descent.optim.SGD;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code descent second-order}: first- and second-order methods on one full-batch problem
 * ({@link OptimizationProblem}) from the same start: iterations, loss evaluations, wall time and
 * final loss of each, and charts of the loss against iterations and against time.
 */
final class SecondOrderCommand {
    /** Newton forms the Hessian up to this many parameters; Newton-CG (Hessian-free) beyond. */
    static final int DENSE_NEWTON_LIMIT = 2000;
    /** Newton's, Gauss-Newton's and LM's iterations are capped here: each costs a Hessian or a Jacobian. */
    static final int SECOND_ORDER_CAP = 200;

    /** One method's trajectory: the loss after each iteration and the seconds elapsed then. */
    record Run(String method, List<Double> loss, List<Double> seconds, int evaluations) {
        double finalLoss() {
            return loss.get(loss.size() - 1);
        }
    }

    private SecondOrderCommand() {
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        CommandLine line = new CommandLine("second-order", "Runs GD, momentum, Adam, L-BFGS, Newton (or Newton-CG) and, for least-squares"
                + " problems, Gauss-Newton and Levenberg-Marquardt on one full-batch problem; charts loss against iterations and time.")
                .flag("problem", "rosenbrock", "rosenbrock, linear (regression), logistic (regression on 10,000 MNIST images) or curve"
                        + " (a 1-16-1 network fitting sin x)")
                .flag("iterations", "0", "iterations per method (0: the problem's default: 2000, 500, 100, 2000; Newton, Gauss-Newton and LM at most "
                        + SECOND_ORDER_CAP + ")")
                .flag("target", "1e-12", "a method stops early once its loss is below target times the initial loss")
                .flag("threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "CPU threads")
                .flag("out", "runs/second-order-<timestamp>", "directory for second-order.html and results.json")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        OptimizationProblem problem = OptimizationProblem.named(line.choice("problem", OptimizationProblem.NAMES.toArray(new String[0])));
        int iterations = line.integer("iterations", 0);
        if (iterations == 0) {
            iterations = problem.defaultIterations();
        }
        double relativeTarget = line.real("target");
        if (!(relativeTarget >= 0)) {
            throw new UsageException("second-order: --target must be at least 0, got " + line.string("target"));
        }
        Descent.setNumThreads(line.integer("threads", 1));
        // the absolute loss at which every method stops
        double target = relativeTarget * lossOf(problem, problem.start().get());
        Path dir = Path.of(line.string("out").replace("<timestamp>", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        Files.createDirectories(dir);

        out.printf("descent second-order: %s, %d iterations per method%n", problem.description(), iterations);
        List<Run> runs = new ArrayList<>();
        runs.add(firstOrder("GD", problem, iterations, target, p -> new SGD(p, SGD.options().lr(problem.gradientDescentLr()))));
        runs.add(firstOrder("Momentum", problem, iterations, target, p -> new SGD(p, SGD.options().lr(problem.momentumLr()).momentum(0.9))));
        runs.add(firstOrder("Adam", problem, iterations, target, p -> new Adam(p, Adam.options().lr(problem.adamLr()))));
        runs.add(lbfgs(problem, iterations, target));
        int size = problem.start().get().stream().mapToInt(Tensor::size).sum();
        int secondOrderIterations = Math.min(iterations, SECOND_ORDER_CAP);
        runs.add(size <= DENSE_NEWTON_LIMIT ? newton(problem, secondOrderIterations, target)
                : newtonCG(problem, Math.min(secondOrderIterations, 30), target));
        List<String> failures = new ArrayList<>();
        if (problem.residuals() != null) {
            for (String method : new String[] {"Gauss-Newton", "Levenberg-Marquardt"}) {
                try {
                    runs.add(leastSquares(method, problem, secondOrderIterations, target, method.equals("Gauss-Newton")));
                } catch (ArithmeticException e) {
                    failures.add(method + " failed: " + e.getMessage());
                }
            }
        }

        out.printf("%-20s %10s %12s %10s %16s%n", "method", "iterations", "evaluations", "seconds", "final loss");
        List<Svg.Series> byIteration = new ArrayList<>();
        List<Svg.Series> byTime = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("<table><tr><th>method</th><th>iterations</th><th>evaluations</th><th>seconds</th>"
                + "<th>final loss</th></tr>");
        for (Run run : runs) {
            int count = run.loss().size() - 1;
            double seconds = run.seconds().get(count);
            out.printf("%-20s %10d %12d %10.3f %16.6e%n", run.method(), count, run.evaluations(), seconds, run.finalLoss());
            table.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%.3f</td><td>%.6e</td></tr>", run.method(), count,
                    run.evaluations(), seconds, run.finalLoss()));
            double[] index = new double[count + 1];
            for (int i = 0; i <= count; i++) {
                index[i] = i;
            }
            byIteration.add(new Svg.Series(run.method(), index, positive(run.loss())));
            byTime.add(new Svg.Series(run.method(), Report.array(run.seconds()), positive(run.loss())));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("iterations", count);
            entry.put("evaluations", run.evaluations());
            entry.put("seconds", seconds);
            entry.put("finalLoss", run.finalLoss());
            entry.put("loss", run.loss());
            entry.put("time", run.seconds());
            results.put(run.method(), entry);
        }
        failures.forEach(out::println);
        StringBuilder notes = new StringBuilder();
        failures.forEach(f -> notes.append("<p>").append(Svg.escape(f)).append("</p>"));
        String html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Second-order methods</title><style>body{font-family:"
                + "sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}</style></head><body>"
                + "<h1>" + Svg.escape(problem.description()) + "</h1>"
                + Svg.lineChart("Loss against iterations", "iteration", "loss", byIteration, true)
                + Svg.lineChart("Loss against wall time", "seconds", "loss", byTime, true)
                + table + "</table>" + notes + "</body></html>\n";
        AtomicFiles.write(dir.resolve("second-order.html"), html);
        RunFiles.writeJson(dir.resolve("results.json"), results);
        out.println("wrote second-order.html and results.json to " + dir);
        return 0;
    }

    /** Losses floored at the smallest positive double, so a loss of exactly 0 can sit on a log axis. */
    private static double[] positive(List<Double> losses) {
        return losses.stream().mapToDouble(v -> Math.max(v, Double.MIN_NORMAL)).toArray();
    }

    private static double lossOf(OptimizationProblem problem, List<Tensor> params) {
        try (dev.descent.autograd.GradMode.Scope ignored = dev.descent.autograd.GradMode.noGrad()) {
            return problem.loss().apply(params).item();
        }
    }

    private static Run firstOrder(String name, OptimizationProblem problem, int iterations, double target,
                                  java.util.function.Function<List<Tensor>, Optimizer> build) {
        List<Tensor> params = problem.start().get();
        Optimizer optimizer = build.apply(params);
        List<Double> losses = new ArrayList<>();
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            optimizer.zeroGrad();
            Tensor loss = problem.loss().apply(params);
            losses.add(loss.item());
            times.add((System.nanoTime() - start) / 1e9);
            if (loss.item() <= target) {
                return new Run(name, losses, times, i + 1);
            }
            loss.backward();
            optimizer.step();
        }
        losses.add(lossOf(problem, params));
        times.add((System.nanoTime() - start) / 1e9);
        return new Run(name, losses, times, iterations + 1);
    }

    private static Run lbfgs(OptimizationProblem problem, int iterations, double target) {
        List<Tensor> params = problem.start().get();
        LBFGS lbfgs = new LBFGS(params, LBFGS.options().maxIter(iterations).maxEval(2 * iterations).toleranceGrad(1e-12)
                .toleranceChange(Math.max(target, Double.MIN_NORMAL)).lineSearch("strong_wolfe"));
        List<Double> losses = new ArrayList<>(List.of(lossOf(problem, params)));
        List<Double> times = new ArrayList<>(List.of(0.0));
        long start = System.nanoTime();
        lbfgs.onIteration((iteration, evaluations, loss) -> {
            losses.add(loss);
            times.add((System.nanoTime() - start) / 1e9);
        });
        lbfgs.step(() -> {
            lbfgs.zeroGrad();
            Tensor loss = problem.loss().apply(params);
            loss.backward();
            return loss;
        });
        return new Run("L-BFGS", losses, times, lbfgs.functionEvaluations());
    }

    private static Run newton(OptimizationProblem problem, int iterations, double target) {
        List<Tensor> params = problem.start().get();
        Newton newton = new Newton(params, Newton.options());
        List<Double> losses = new ArrayList<>(List.of(lossOf(problem, params)));
        List<Double> times = new ArrayList<>(List.of(0.0));
        int evaluations = 0;
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            Newton.Step step = newton.step(() -> problem.loss().apply(params));
            evaluations += step.evaluations();
            losses.add(step.newLoss());
            times.add((System.nanoTime() - start) / 1e9);
            if (step.newLoss() <= target || step.gradientNorm() < 1e-12 || step.newLoss() == step.loss()) {
                break;
            }
        }
        return new Run("Newton", losses, times, evaluations);
    }

    private static Run newtonCG(OptimizationProblem problem, int iterations, double target) {
        List<Tensor> params = problem.start().get();
        // A short CG budget per step (Martens truncates too): on the 7,850-parameter logistic problem a
        // Hessian-vector product costs about two passes over the data.
        NewtonCG hf = new NewtonCG(params, NewtonCG.options().maxCgIterations(10));
        List<Double> losses = new ArrayList<>(List.of(lossOf(problem, params)));
        List<Double> times = new ArrayList<>(List.of(0.0));
        long start = System.nanoTime();
        int evaluations = 0;
        for (int i = 0; i < iterations; i++) {
            NewtonCG.Step step = hf.step(() -> problem.loss().apply(params));
            evaluations += 2 + step.hessianProducts();
            losses.add(step.newLoss());
            times.add((System.nanoTime() - start) / 1e9);
            if (step.newLoss() <= target || step.gradientNorm() < 1e-12) {
                break;
            }
        }
        return new Run("Newton-CG", losses, times, evaluations);
    }

    private static Run leastSquares(String name, OptimizationProblem problem, int iterations, double target, boolean gaussNewton) {
        List<Tensor> params = problem.start().get();
        LeastSquaresOptions options = new LeastSquaresOptions().maxEvaluations(4 * iterations);
        LeastSquaresSolver solver = gaussNewton ? new GaussNewton(params, options) : new LevenbergMarquardt(params, options);
        List<Double> losses = new ArrayList<>(List.of(lossOf(problem, params)));
        List<Double> times = new ArrayList<>(List.of(0.0));
        long start = System.nanoTime();
        solver.onStep((count, evaluationCount, rss, parameters) -> {
            losses.add(rss);
            times.add((System.nanoTime() - start) / 1e9);
            return losses.size() <= iterations && rss > target;
        });
        var result = solver.solve(() -> problem.residuals().apply(params));
        return new Run(name, losses, times, result.evaluations());
    }
}
