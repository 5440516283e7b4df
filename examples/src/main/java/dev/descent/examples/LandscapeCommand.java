package dev.descent.examples;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.optim.GaussNewton;
import dev.descent.optim.LeastSquaresOptions;
import dev.descent.optim.LeastSquaresSolver;
import dev.descent.optim.Levenberg;
import dev.descent.optim.LevenbergMarquardt;
import dev.descent.optim.Newton;
import dev.descent.optim.NewtonCG;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.QuasiNewtonOptimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
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
    static final List<String> SECOND_ORDER = List.of("newton", "newtoncg", "gauss-newton", "levenberg", "lm");

    private LandscapeCommand() {
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        CommandLine line = new CommandLine("landscape", "Draws optimizers' trajectories over the contour plot of a 2-D test function.")
                .flag("function", "rosenbrock", "rosenbrock, beale, saddle or quadratic (ill-conditioned)")
                .flag("start", null, "the start x,y (default: the function's usual start)")
                .flag("steps", "200", "steps (iterations) per optimizer")
                .flag("optimizers", null, "specifications separated by ';', e.g. 'sgd:lr=1e-3;adam:lr=0.05;lbfgs:lineSearch=strong_wolfe;newton;lm'"
                        + " (names: " + String.join(", ", Optimizers.names()) + ", " + String.join(", ", SECOND_ORDER)
                        + "; default: a set suited to the function)")
                .flag("out", "runs/landscape-<function>", "directory for landscape.svg and landscape.html")
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
        Path dir = Path.of(line.string("out").replace("<function>", function.name()));
        Files.createDirectories(dir);
        String svg = ContourPlot.svg(function, paths);
        AtomicFiles.write(dir.resolve("landscape.svg"), svg);
        AtomicFiles.write(dir.resolve("landscape.html"), "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + Svg.escape(function.name())
                + "</title></head><body style=\"margin:16px\">" + svg + "</body></html>\n");
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

    /** The start and the point after every step (a diverging run stops at its first non-finite point). */
    static List<double[]> trajectory(TestFunction function, String spec, double[] start, int steps) {
        Tensor p = Tensor.of(start.clone(), 2).requiresGrad(true);
        List<double[]> points = new ArrayList<>();
        points.add(start.clone());
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String options = colon < 0 ? "" : spec.substring(colon + 1);
        if (SECOND_ORDER.contains(name)) {
            if (!options.isBlank()) {
                throw new UsageException("landscape: " + name + " takes no options here, got '" + options + "'");
            }
            secondOrder(function, name, p, points, steps);
            return points;
        }
        Optimizer optimizer;
        try {
            optimizer = Optimizers.create(spec, List.of(p));
        } catch (IllegalArgumentException e) {
            throw new UsageException("landscape: --optimizers: " + e.getMessage());
        }
        boolean quasiNewton = optimizer instanceof QuasiNewtonOptimizer;
        if (quasiNewton) {
            optimizer.paramGroups().get(0).set("maxIter", 1.0); // one iteration per step, as the picture wants
        }
        for (int i = 0; i < steps; i++) {
            if (quasiNewton) {
                optimizer.step(() -> {
                    optimizer.zeroGrad();
                    Tensor f = function.value().apply(p);
                    f.backward();
                    return f;
                });
            } else {
                optimizer.zeroGrad();
                function.value().apply(p).backward();
                optimizer.step();
            }
            if (!record(points, p)) {
                break;
            }
        }
        return points;
    }

    private static void secondOrder(TestFunction function, String name, Tensor p, List<double[]> points, int steps) {
        if (name.equals("newton") || name.equals("newtoncg")) {
            Newton newton = name.equals("newton") ? new Newton(List.of(p), Newton.options()) : null;
            NewtonCG hf = name.equals("newtoncg") ? new NewtonCG(List.of(p), NewtonCG.options()) : null;
            for (int i = 0; i < steps; i++) {
                double gradientNorm = newton != null ? newton.step(() -> function.value().apply(p)).gradientNorm()
                        : hf.step(() -> function.value().apply(p)).gradientNorm();
                if (!record(points, p) || gradientNorm == 0) {
                    break;
                }
            }
            return;
        }
        if (function.residuals() == null) {
            throw new UsageException("landscape: " + name + " needs a sum of squares, and " + function.name() + " is not one");
        }
        LeastSquaresOptions options = new LeastSquaresOptions().maxEvaluations(Math.max(10, 10 * steps));
        LeastSquaresSolver solver = switch (name) {
            case "gauss-newton" -> new GaussNewton(List.of(p), options);
            case "levenberg" -> new Levenberg(List.of(p), options);
            default -> new LevenbergMarquardt(List.of(p), options);
        };
        solver.onStep((iterations, evaluations, rss, parameters) -> {
            points.add(parameters.clone());
            return points.size() <= steps;
        });
        solver.solve(() -> function.residuals().apply(p));
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
