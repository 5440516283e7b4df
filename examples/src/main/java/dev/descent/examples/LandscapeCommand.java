package dev.descent.examples;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.optim.LossClosure;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ResidualClosure;
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
 * {@code descent landscape}: the trajectories of several optimizers over the contours of a 2-D
 * test function ({@link TestFunction}), the picture of the optimization lectures; first- and
 * second-order methods alike, each given as a {@code NAME[:key=value,...]} specification.
 */
final class LandscapeCommand {
    private LandscapeCommand() {
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        CommandLine line = new CommandLine("landscape", "Draws optimizers' trajectories over the contour plot of a 2-D test function.")
                .flag("function", "rosenbrock", "rosenbrock, beale, saddle or quadratic (ill-conditioned)")
                .flag("start", null, "the start x,y (default: the function's usual start)")
                .flag("steps", "200", "steps (iterations) per optimizer")
                .flag("optimizers", null, "specifications separated by ';', e.g. 'sgd:lr=1e-3;adam:lr=0.05;lbfgs:lineSearch=strong_wolfe;newton;lm'"
                        + " (names: " + String.join(", ", Optimizers.names()) + ", and lm; default: a set suited to the function)")
                .flag("out", "runs/landscape-<function>-<timestamp>", "directory for landscape.svg and landscape.html (the default is a"
                        + " new one of its own; a directory another run owns or holds results in is refused)")
                .flag("json", null, "also write, per optimizer, its specification and the point and loss after every step")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        TestFunction function = TestFunction.named(line.choice("function", TestFunction.NAMES.toArray(new String[0])));
        double[] start = line.string("start") == null ? function.start() : parsePoint(line.string("start"));
        int steps = line.integer("steps", 1);
        String specs = line.string("optimizers") == null ? function.defaultOptimizers() : line.string("optimizers");
        List<String> specList = new ArrayList<>();
        for (String spec : specs.split(";")) {
            if (!spec.isBlank()) {
                specList.add(spec.trim());
            }
        }
        if (specList.isEmpty()) {
            throw new UsageException("landscape: --optimizers lists no optimizer");
        }
        RunDirectory runDirectory = RunDirectory.of("landscape", line.string("out"), line.isSet("out"), "landscape-" + function.name());
        if (line.string("json") != null && line.string("json").isBlank()) {
            throw new UsageException("landscape: --json is empty; give a file for the trajectories, or leave --json out");
        }
        List<ContourPlot.Path> paths = new ArrayList<>();
        List<Map<String, Object>> trajectories = new ArrayList<>();
        out.printf("descent landscape: %s from (%s, %s), %d steps%n", function.description(), start[0], start[1], steps);
        out.printf("%-44s %16s %24s%n", "optimizer", "final loss", "final point");
        for (String spec : specList) {
            List<double[]> points = trajectory(function, spec, start, steps);
            List<Double> losses = new ArrayList<>();
            for (double[] p : points) {
                losses.add(Double.isFinite(p[0]) && Double.isFinite(p[1]) ? function.at(p[0], p[1]) : Double.NaN);
            }
            double[] last = points.get(points.size() - 1);
            out.printf(Locale.ROOT, "%-44s %16.6e %24s%n", spec, losses.get(losses.size() - 1), String.format(Locale.ROOT, "(%.6f, %.6f)",
                    last[0], last[1]));
            paths.add(new ContourPlot.Path(spec, points));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("spec", spec);
            entry.put("points", points);
            entry.put("loss", losses);
            trajectories.add(entry);
        }
        Path dir = runDirectory.create();   // only now, with the picture to write
        String svg = ContourPlot.svg(function, paths);
        AtomicFiles.write(dir.resolve("landscape.svg"), svg);
        AtomicFiles.write(dir.resolve("landscape.html"), HtmlPage.of(function.name(), svg));
        if (line.string("json") != null) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("function", function.name());
            summary.put("start", start);
            summary.put("steps", steps);
            summary.put("optimizers", trajectories);
            RunFiles.writeJson(Path.of(line.string("json")), summary);
        }
        out.println("wrote landscape.svg and landscape.html to " + dir + (line.string("json") != null ? "; trajectories " + line.string("json") : ""));
        return 0;
    }

    private static double[] parsePoint(String text) {
        String[] parts = text.split(",");
        if (parts.length != 2) {
            throw new UsageException("landscape: --start expects x,y, got '" + text + "'");
        }
        try {
            return new double[] {Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim())};
        } catch (NumberFormatException e) {
            throw new UsageException("landscape: --start expects two numbers x,y, got '" + text + "'");
        }
    }

    /**
     * The start and the point after every step (a diverging run stops at its first non-finite
     * point, a converged one where its own test stops it). Methods with {@code maxIter} take one
     * iteration per step, as the picture wants; least-squares methods get the function's residuals.
     */
    static List<double[]> trajectory(TestFunction function, String spec, double[] start, int steps) {
        Tensor p = Tensor.of(start.clone(), 2).requiresGrad(true);
        List<double[]> points = new ArrayList<>();
        points.add(start.clone());
        Optimizer optimizer;
        try {
            optimizer = Optimizers.create(spec, List.of(p));
        } catch (IllegalArgumentException e) {
            throw new UsageException("landscape: --optimizers: " + e.getMessage());
        }
        if (optimizer.hyperparameters().names().contains("maxIter")) {
            optimizer.paramGroups().get(0).set("maxIter", 1);
        }
        LossClosure closure;
        if (optimizer.closureKind() == Optimizer.ClosureKind.RESIDUALS) {
            if (function.residuals() == null) {
                throw new UsageException("landscape: " + spec + " needs a sum of squares, and " + function.name() + " is not one");
            }
            closure = (ResidualClosure) () -> function.residuals().apply(p);
        } else {
            closure = LossClosure.of(optimizer, () -> function.value().apply(p));
        }
        for (int i = 0; i < steps; i++) {
            optimizer.step(closure);
            StopReason reason = optimizer.lastStep().stopReason();
            if (!record(points, p) || (reason != StopReason.UPDATED && reason != StopReason.MAX_ITERATIONS
                    && reason != StopReason.STEP_REJECTED)) {
                break;
            }
        }
        return points;
    }

    private static boolean record(List<double[]> points, Tensor p) {
        double[] point;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            point = p.data().toDoubleArray();
        }
        points.add(point);
        return Double.isFinite(point[0]) && Double.isFinite(point[1]);
    }
}
