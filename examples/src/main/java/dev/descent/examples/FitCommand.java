package dev.descent.examples;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ResidualClosure;
import dev.descent.optim.leastsquares.LeastSquaresResult;
import java.io.IOException;
import java.io.PrintStream;
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
 * evaluations and why the solver stopped. It exits 0 only for a fit: fewer observations than
 * parameters, NaN or Infinity in the data, and a start where the model or its derivatives are not
 * finite are bad usage (exit 2, naming the data line and the start values); a Jacobian that is
 * rank deficient at the solution (a parameter the data do not determine, or parameters they
 * cannot tell apart), a stationary start, a solve that cannot step, or a spent budget exit 1.
 */
final class FitCommand {
    private FitCommand() {
    }

    static CommandLine flags() {
        return new CommandLine("fit", "Fits a formula's parameters b1..bp to a CSV file by nonlinear least squares.")
                .flag("model", null, "the formula, in b1..bp and the data's columns: + - * / ( ), numbers, pi, exp log sqrt pow sin cos"
                        + " tan atan abs; powers as pow(x, 2) (required)")
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
        Path dataFile = Path.of(line.string("data"));
        FitData data = FitData.read(dataFile);
        Map<String, double[]> columns = data.columns();
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
        int rows = data.lines().length;
        if (rows < p) {
            throw new UsageException("fit: --data " + dataFile + " has " + rows + " observation" + (rows == 1 ? "" : "s") + " but the model has "
                    + p + " parameters (b1..b" + p + "); a least-squares fit needs at least as many observations as parameters");
        }

        Map<String, Tensor> values = new HashMap<>();
        columns.forEach((name, column) -> values.put(name, Tensor.of(NDArray.of(column, rows))));
        Tensor observed;
        try (var ignored = GradMode.noGrad()) {
            observed = response.evaluate(values).reshape(-1).expand(rows);
        }
        int badResponse = firstNonFinite(observed.data().toDoubleArray());
        if (badResponse >= 0) {
            throw new UsageException("fit: --response " + line.string("response") + " is " + observed.data().toDoubleArray()[badResponse]
                    + " at line " + data.lines()[badResponse] + " of " + dataFile + " (" + rowValues(response, columns, badResponse) + ")");
        }
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

        // The start: the model and its derivatives must be finite at every row, or no step can be computed.
        double[] modelAtStart;
        try (var ignored = GradMode.noGrad()) {
            modelAtStart = model.evaluate(values).reshape(-1).expand(rows).data().toDoubleArray();
        }
        int badRow = firstNonFinite(modelAtStart);
        if (badRow >= 0) {
            throw new UsageException("fit: at the start " + assignments(start) + " the model is " + modelAtStart[badRow] + " at line "
                    + data.lines()[badRow] + " of " + dataFile + " (" + rowValues(model, columns, badRow) + "); try another --start");
        }
        double[][] startJacobian = FitJacobian.at(residuals, parameters);
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < p; k++) {
                if (!Double.isFinite(startJacobian[i][k])) {
                    throw new UsageException("fit: at the start " + assignments(start) + " the model's derivative with respect to b" + (k + 1)
                            + " is " + startJacobian[i][k] + " at line " + data.lines()[i] + " of " + dataFile + " ("
                            + rowValues(model, columns, i) + "); try another --start");
                }
            }
        }

        try {
            solver.step(residuals);
        } catch (RuntimeException e) {
            // The solver could not step from where it is (e.g. Gauss-Newton on a rank-deficient Jacobian): say why in the model's terms.
            double[] at = currentValues(parameters);
            String deficiency = FitJacobian.rankDeficiency(FitJacobian.at(residuals, parameters), "at " + assignments(at));
            throw new FitFailure("fit: the solve stopped at " + assignments(at) + ": " + (deficiency != null ? deficiency
                    : "the solver failed (" + e.getMessage() + ")"));
        }
        LeastSquaresResult result = LeastSquaresResult.of(solver, residuals);
        double[][] finalJacobian = FitJacobian.at(residuals, parameters);
        String deficiency = FitJacobian.rankDeficiency(finalJacobian, "at the solution");
        if (deficiency == null && rows > p && !allFinite(result.standardErrors())) {
            deficiency = "the Jacobian is rank deficient at the solution (J^T J is singular, so the standard errors are undefined)";
        }
        if (deficiency != null && Arrays.equals(result.parameters(), start)) {
            // the solver never moved: the gradient J^T r vanishes at the start because J is singular there
            String there = deficiency.replace("at the solution", "there").replace("the data do not determine", "the model does not change with");
            throw new FitFailure("fit: the start " + assignments(start) + " is a stationary point where " + there
                    + ", so the solver cannot move from it (stopped: " + result.stopReason() + "); try another --start");
        }
        if (!allFinite(result.parameters()) || !Double.isFinite(result.residualSumOfSquares())) {
            throw new FitFailure("fit: the solve ended at " + assignments(result.parameters()) + " with residual sum of squares "
                    + result.residualSumOfSquares() + "; no fit was found (try another --start)");
        }

        out.printf("descent fit: %s to %s (%d observations, %d parameters) by %s%n", line.string("model"), line.string("response"), rows, p,
                solver.name());
        out.printf("%-10s %24s %24s%n", "parameter", "value", "standard error");
        for (int k = 0; k < p; k++) {
            out.printf("%-10s %24.10E %24.10E%n", "b" + (k + 1), result.parameters()[k], result.standardErrors()[k]);
        }
        out.printf("residual sum of squares %.10E%n", result.residualSumOfSquares());
        out.printf("%d iterations, %d evaluations; stopped: %s (%s)%n", result.iterations(), result.evaluations(),
                result.stopReason(), result.stopReason().description());
        if (rows == p && deficiency == null) {
            out.printf("standard errors are undefined: %d observations for %d parameters leave m - p = 0 degrees of freedom%n", rows, p);
        }
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
        if (deficiency != null) {
            throw new FitFailure("fit: no fit was found: " + deficiency + "; fix or remove a parameter, or reparametrize the model");
        }
        if (!result.converged()) {
            out.println("the fit did not converge within the evaluation budget (raise --max-evaluations or try another --start)");
            return 1;
        }
        return 0;
    }

    /** A fit that was tried and not found: one line on stderr, exit 1. */
    static final class FitFailure extends RuntimeException {
        FitFailure(String message) {
            super(message);
        }
    }

    private static boolean allFinite(double[] values) {
        return firstNonFinite(values) < 0;
    }

    private static int firstNonFinite(double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    private static double[] currentValues(List<Tensor> parameters) {
        double[] values = new double[parameters.size()];
        for (int k = 0; k < values.length; k++) {
            values[k] = parameters.get(k).item();
        }
        return values;
    }

    /** "b1 = 1, b2 = 1000": the parameters by name, each value as short as it reads back exactly. */
    static String assignments(double[] values) {
        List<String> parts = new ArrayList<>();
        for (int k = 0; k < values.length; k++) {
            parts.add("b" + (k + 1) + " = " + number(values[k]));
        }
        return String.join(", ", parts);
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** "x = -2": the columns {@code formula} reads, at data row {@code row}. */
    private static String rowValues(Formula formula, Map<String, double[]> columns, int row) {
        List<String> parts = new ArrayList<>();
        columns.forEach((name, column) -> {
            if (formula.names().contains(name)) {
                parts.add(name + " = " + number(column[row]));
            }
        });
        return String.join(", ", parts);
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
}
