package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ResidualClosure;
import dev.descent.optim.leastsquares.LeastSquaresResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code descent fit}: nonlinear least squares from the command line, the job of
 * {@code scipy.optimize.curve_fit} or gnuplot's {@code fit}:
 * <pre>
 *   descent fit --model 'b1*(1-exp(-b2*x))' --data misra1a.csv --start 500,1e-4
 * </pre>
 * prints each parameter with its standard error, the residual sum of squares, the iterations,
 * evaluations and why the solver stopped.
 */
final class FitCommand {
    private FitCommand() {
    }

    static CommandLine flags() {
        return new CommandLine("fit", "Fits a formula's parameters b1..bp to a CSV file by nonlinear least squares.")
                .flag("model", null, "the formula, in b1..bp and the data's columns: + - * / ( ), numbers, pi, exp log sqrt pow sin cos"
                        + " tan atan abs (required)")
                .flag("data", null, "a CSV file whose header row names its columns (required)")
                .flag("response", "y", "the formula the model is fitted to, e.g. log(y)")
                .flag("start", null, "the starting values v1,v2,...,vp (required)")
                .flag("method", "lm", "a least-squares optimizer, NAME[:key=value,...]: " + String.join(", ", leastSquaresNames())
                        + " (lm is levenbergmarquardt)")
                .flag("max-evaluations", "0", "residual evaluations allowed (0: 200 (p + 1))")
                .flag("json", null, "also write params, stderr, rss, iterations, evaluations and stopReason as JSON to this file");
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        CommandLine line = flags().parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        for (String required : new String[] {"model", "data", "start"}) {
            if (line.string(required) == null) {
                throw new UsageException("fit: --" + required + " is required (see descent fit --help)");
            }
        }
        Formula model = Formula.parse("--model", line.string("model"));
        Formula response = Formula.parse("--response", line.string("response"));
        String method = line.string("method");
        int maxEvaluations = line.integer("max-evaluations", 0);
        Map<String, double[]> columns = readCsv(Path.of(line.string("data")));
        int p = model.parameterCount();
        if (p == 0) {
            throw new UsageException("fit: --model names no parameter b1..bp");
        }
        for (int k = 1; k <= p; k++) {
            if (!model.names().contains("b" + k)) {
                throw new UsageException("fit: --model uses b" + p + " but not b" + k + "; parameters are numbered b1..bp without gaps");
            }
        }
        checkNames(model, columns, p, "--model");
        checkNames(response, columns, 0, "--response");
        double[] start = parseStart(line.string("start"), p);

        Map<String, Tensor> values = new HashMap<>();
        int rows = columns.values().iterator().next().length;
        columns.forEach((name, data) -> values.put(name, Tensor.of(NDArray.of(data, rows))));
        Tensor observed = response.evaluate(values);
        List<Tensor> parameters = new ArrayList<>();
        for (int k = 1; k <= p; k++) {
            Tensor b = Tensor.scalar(DType.FLOAT64, start[k - 1]).requiresGrad(true);
            parameters.add(b);
            values.put("b" + k, b);
        }
        String spec = maxEvaluations > 0 ? method + (method.contains(":") ? "," : ":") + "maxEvaluations=" + maxEvaluations : method;
        Optimizer solver;
        try {
            solver = Optimizers.create(spec, parameters);
        } catch (IllegalArgumentException e) {
            throw new UsageException("fit: --method: " + e.getMessage());
        }
        if (solver.closureKind() != Optimizer.ClosureKind.RESIDUALS) {
            throw new UsageException("fit: --method " + method + " minimizes a loss, not a sum of squares; use one of "
                    + String.join(", ", leastSquaresNames()));
        }
        ResidualClosure residuals = () -> model.evaluate(values).sub(observed).reshape(-1).expand(rows);
        solver.step(residuals);
        LeastSquaresResult result = LeastSquaresResult.of(solver, residuals);

        out.printf("descent fit: %s to %s (%d observations, %d parameters) by %s%n", line.string("model"), line.string("response"), rows, p,
                solver.name());
        out.printf("%-10s %24s %24s%n", "parameter", "value", "standard error");
        for (int k = 0; k < p; k++) {
            out.printf("%-10s %24.10E %24.10E%n", "b" + (k + 1), result.parameters()[k], result.standardErrors()[k]);
        }
        out.printf("residual sum of squares %.10E%n", result.residualSumOfSquares());
        out.printf("%d iterations, %d evaluations; stopped: %s (%s)%n", result.iterations(), result.evaluations(),
                result.stopReason(), result.stopReason().description());
        if (line.string("json") != null) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", line.string("model"));
            summary.put("response", line.string("response"));
            summary.put("method", method);
            summary.put("params", result.parameters());
            summary.put("stderr", result.standardErrors());
            summary.put("rss", result.residualSumOfSquares());
            summary.put("iterations", result.iterations());
            summary.put("evaluations", result.evaluations());
            summary.put("stopReason", result.stopReason().name());
            // NaN standard errors (rank-deficient or exactly determined fits) are written as null.
            RunFiles.writeJson(Path.of(line.string("json")), summary);
        }
        if (!result.converged()) {
            out.println("the fit did not converge within the evaluation budget (raise --max-evaluations or try another --start)");
            return 1;
        }
        return 0;
    }

    /** The registered optimizers whose closure returns residuals: the least-squares methods. */
    static List<String> leastSquaresNames() {
        List<String> names = new ArrayList<>();
        Tensor probe = Tensor.scalar(DType.FLOAT64, 0).requiresGrad(true);
        for (String name : Optimizers.names()) {
            Optimizer optimizer = Optimizers.create(name, List.of(probe), Optimizers.hyperparameters(name).names().contains("lr") ? 0.1 : Double.NaN);
            if (optimizer.closureKind() == Optimizer.ClosureKind.RESIDUALS) {
                names.add(name);
            }
        }
        return names;
    }

    private static void checkNames(Formula formula, Map<String, double[]> columns, int parameters, String flag) {
        for (String name : formula.names()) {
            boolean parameter = name.matches("b[1-9][0-9]*") && Integer.parseInt(name.substring(1)) <= parameters;
            if (!parameter && !columns.containsKey(name)) {
                throw new UsageException("fit: " + flag + " names '" + name + "', which is neither a column of the data (" + String.join(", ",
                        columns.keySet()) + ")" + (parameters > 0 ? " nor a parameter b1..b" + parameters : "")
                        + (flag.equals("--response") && name.matches("b[0-9]+") ? "; the response cannot hold parameters" : ""));
            }
        }
    }

    private static double[] parseStart(String text, int parameters) {
        String[] parts = text.split(",");
        if (parts.length != parameters) {
            throw new UsageException("fit: --start has " + parts.length + " value" + (parts.length == 1 ? "" : "s") + " but the model has "
                    + parameters + " parameter" + (parameters == 1 ? "" : "s") + " (b1..b" + parameters + ")");
        }
        double[] start = new double[parameters];
        for (int i = 0; i < parameters; i++) {
            try {
                start[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UsageException("fit: --start value " + (i + 1) + " '" + parts[i].trim() + "' is not a number");
            }
            if (!Double.isFinite(start[i])) {
                throw new UsageException("fit: --start value " + (i + 1) + " is " + start[i]);
            }
        }
        return start;
    }

    /** Columns by header name; blank lines and lines starting with # are skipped. */
    static Map<String, double[]> readCsv(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("fit: --data " + file + " is not a file");
        }
        List<String> lines = Files.readAllLines(file);
        String[] header = null;
        List<double[]> rows = new ArrayList<>();
        for (int number = 1; number <= lines.size(); number++) {
            String text = lines.get(number - 1).trim();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] cells = text.split("\\s*,\\s*");
            if (header == null) {
                header = cells;
                for (String name : header) {
                    if (!name.matches("[A-Za-z_][A-Za-z_0-9]*")) {
                        throw new UsageException("fit: --data " + file + ": column name '" + name + "' in the header is not a name"
                                + " (letters, digits and _)");
                    }
                }
                continue;
            }
            if (cells.length != header.length) {
                throw new UsageException("fit: --data " + file + " line " + number + ": " + cells.length + " cells, the header has "
                        + header.length);
            }
            double[] row = new double[cells.length];
            for (int j = 0; j < cells.length; j++) {
                try {
                    row[j] = Double.parseDouble(cells[j]);
                } catch (NumberFormatException e) {
                    throw new UsageException("fit: --data " + file + " line " + number + ": '" + cells[j] + "' in column '" + header[j]
                            + "' is not a number");
                }
            }
            rows.add(row);
        }
        if (header == null || rows.isEmpty()) {
            throw new UsageException("fit: --data " + file + " has no header and data rows");
        }
        Map<String, double[]> columns = new LinkedHashMap<>();
        for (int j = 0; j < header.length; j++) {
            double[] column = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                column[i] = rows.get(i)[j];
            }
            if (columns.put(header[j], column) != null) {
                throw new UsageException("fit: --data " + file + ": column '" + header[j] + "' appears twice in the header");
            }
        }
        return columns;
    }
}
