package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.Descent;
import dev.descent.optim.LossClosure;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ResidualClosure;
import dev.descent.optim.StepResult;
import dev.descent.optim.StopReason;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
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
    /**
     * The methods run by default, as {@code LABEL=SPEC} (specifications of {@link Optimizers}); the
     * first-order learning rates are the problem's own ({gd}, {momentum}, {adam}). Each step of a
     * method is one of its iterations: L-BFGS and the least-squares methods take {@code maxIter=1}.
     */
    static final String DEFAULT_METHODS = "GD=sgd:lr={gd};Momentum=sgd:lr={momentum},momentum=0.9;Adam=adam:lr={adam};"
            + "L-BFGS=lbfgs:maxIter=1,lineSearch=strong_wolfe,toleranceGrad=1e-12,toleranceChange=1e-15;Newton=newton;Newton-CG=newtoncg:maxCgIterations=10;"
            + "Gauss-Newton=gaussnewton:maxIter=1;Levenberg-Marquardt=lm:maxIter=1";

    /** One method's trajectory: the loss after each iteration and the seconds elapsed then. */
    record Run(String method, List<Double> loss, List<Double> seconds, int evaluations) {
        double finalLoss() {
            return loss.get(loss.size() - 1);
        }
    }

    private SecondOrderCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = new CommandLine("second-order", "Runs GD, momentum, Adam, L-BFGS, Newton, Newton-CG and, for least-squares"
                + " problems, Gauss-Newton and Levenberg-Marquardt on one full-batch problem; charts loss against iterations and time.")
                .flag("problem", "rosenbrock", "rosenbrock, linear (regression), logistic (regression on 10,000 MNIST images) or curve"
                        + " (a 1-16-1 network fitting sin x)")
                .flag("iterations", "0", "iterations per method (0: the problem's default: 2000, 500, 100, 2000)")
                .flag("methods", DEFAULT_METHODS, "the methods, [LABEL=]SPEC;... with any optimizer of descent's list (" + String.join(", ",
                        Optimizers.names()) + "); {gd}, {momentum} and {adam} stand for the problem's learning rates. Newton needs at most "
                        + DENSE_NEWTON_LIMIT + " parameters; the least-squares methods a problem with residuals")
                .flag("target", "1e-12", "a method stops early once its loss is below target times the initial loss")
                .flag("threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "CPU threads")
                .flag("out", "runs/second-order-<timestamp>", "directory for second-order.html and results.json (the default is a new"
                        + " one of its own; a directory another run owns or holds results in is refused)")
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
        Descent.setNumThreads(line.threads(err));
        RunDirectory runDirectory = RunDirectory.of("second-order", line.string("out"), line.isSet("out"), "second-order");
        // the absolute loss at which every method stops
        double target = relativeTarget * lossOf(problem, problem.start().get());

        out.printf("descent second-order: %s, %d iterations per method%n", problem.description(), iterations);
        List<Run> runs = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int size = problem.start().get().stream().mapToInt(Tensor::size).sum();
        String methods = line.string("methods").replace("{gd}", Double.toString(problem.gradientDescentLr()))
                .replace("{momentum}", Double.toString(problem.momentumLr())).replace("{adam}", Double.toString(problem.adamLr()));
        for (Map.Entry<String, String> method : OptimizerList.parse("second-order", "methods", methods).entrySet()) {
            String label = method.getKey();
            String spec = method.getValue();
            if (Optimizers.nameOf(spec).equals("newton") && size > DENSE_NEWTON_LIMIT) {
                failures.add(label + " skipped: " + size + " parameters, more than the " + DENSE_NEWTON_LIMIT + " a dense Hessian is formed for");
                continue;
            }
            try {
                Run run = steps(label, spec, problem, iterations, target);
                if (run != null) {
                    runs.add(run);
                } else {
                    failures.add(label + " skipped: the problem is not a sum of squares");
                }
            } catch (ArithmeticException e) {
                failures.add(label + " failed: " + e.getMessage());
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
        String html = HtmlPage.of(problem.description(), "<div class=\"row\">"
                + Svg.lineChart("Loss against iterations", "iteration", "loss", byIteration, true)
                + Svg.lineChart("Loss against wall time", "seconds", "loss", byTime, true)
                + "</div>" + table + "</table>" + notes);
        Path dir = runDirectory.create();   // only now, with the results to write
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

    /**
     * Up to {@code iterations} steps of the optimizer {@code spec} names, through its closure (the
     * loss, or the residuals for a least-squares method); the loss after each step. Stops at the
     * target, or when the step says it converged. Null when the method needs residuals the problem
     * does not have.
     */
    private static Run steps(String label, String spec, OptimizationProblem problem, int iterations, double target) {
        List<Tensor> params = problem.start().get();
        Optimizer optimizer = Optimizers.create(spec, params);
        boolean residuals = optimizer.closureKind() == Optimizer.ClosureKind.RESIDUALS;
        if (residuals && problem.residuals() == null) {
            return null;
        }
        LossClosure closure = residuals ? (ResidualClosure) () -> problem.residuals().apply(params)
                : LossClosure.of(optimizer, () -> problem.loss().apply(params));
        List<Double> losses = new ArrayList<>(List.of(lossOf(problem, params)));
        List<Double> times = new ArrayList<>(List.of(0.0));
        int evaluations = 0;
        long elapsed = 0;
        for (int i = 0; i < iterations && losses.get(losses.size() - 1) > target; i++) {
            long start = System.nanoTime();
            optimizer.step(closure);
            elapsed += System.nanoTime() - start;
            StepResult step = optimizer.lastStep();
            evaluations += step.evaluations();
            losses.add(lossOf(problem, params));
            times.add(elapsed / 1e9);
            if (step.stopReason() != StopReason.UPDATED && step.stopReason() != StopReason.MAX_ITERATIONS
                    && step.stopReason() != StopReason.STEP_REJECTED) {
                break; // converged by the method's own test
            }
        }
        return new Run(label, losses, times, evaluations);
    }
}
