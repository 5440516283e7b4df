package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent fit} on NIST's StRD nonlinear regression problems (data and certified values in
 * optim's fixtures/nist_strd.json, made by tools/nist_strd.py, which cites their sources): each
 * problem's formula, as NIST writes the model, from both published starts.
 */
class FitCommandTest {
    @TempDir
    Path directory;



    private static String joined(JsonNode values) {
        List<String> parts = new ArrayList<>();
        values.forEach(v -> parts.add(Double.toString(v.asDouble())));
        return String.join(",", parts);
    }

    @Test
    void reproducesTheCertifiedParametersOfNistProblemsFromBothStarts() throws IOException {
        JsonNode problems = new ObjectMapper().readTree(Path.of("../optim/src/test/resources/fixtures/nist_strd.json").toFile()).get("problems");
        List<String> failures = new ArrayList<>();
        int fits = 0;
        for (JsonNode problem : problems) {
            String name = problem.get("name").asText();
            Path csv = directory.resolve(name + ".csv");
            StringBuilder text = new StringBuilder("x,y\n");
            for (int i = 0; i < problem.get("x").size(); i++) {
                text.append(problem.get("x").get(i).asDouble()).append(',').append(problem.get("y").get(i).asDouble()).append('\n');
            }
            Files.writeString(csv, text);
            for (String start : new String[] {"start1", "start2"}) {
                if (name.equals("MGH10") && start.equals("start1")) {
                    continue; // not reached by the solver; optim's NistLeastSquaresTest holds that it says so
                }
                Path json = directory.resolve(name + "-" + start + ".json");
                CommandRun fit = CommandRun.of("fit", "--model", problem.get("model").asText(), "--data", csv.toString(), "--start",
                        joined(problem.get(start)), "--json", json.toString());
                fits++;
                if (fit.code() != 0) {
                    failures.add(name + " " + start + ": exit " + fit.code() + " " + fit.err() + fit.out());
                    continue;
                }
                JsonNode result = new ObjectMapper().readTree(json.toFile());
                JsonNode certified = problem.get("certified");
                for (int k = 0; k < certified.size(); k++) {
                    double expected = certified.get(k).asDouble();
                    double actual = result.get("params").get(k).asDouble();
                    if (Math.abs(actual - expected) > 1e-6 * Math.abs(expected)) {
                        failures.add(name + " " + start + ": b" + (k + 1) + " = " + actual + ", certified " + expected);
                    }
                }
                assertTrue(fit.out().contains("residual sum of squares") && fit.out().contains("stopped:"), fit.out());
            }
        }
        assertEquals(21, fits);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void badFormulasColumnsAndStartsAreOneClearLineAndExitCode2() throws IOException {
        Path csv = directory.resolve("data.csv");
        Files.writeString(csv, "x,y\n1,2\n2,3.9\n3,6.1\n");
        String[][] cases = {
            {"--model", "b1*x +", "--start", "1", "ends where a value was expected"},
            {"--model", "b1*exq(x)", "--start", "1", "unknown function 'exq'"},
            {"--model", "b1*z", "--start", "1", "names 'z', which is neither a column"},
            {"--model", "b1*x + b2", "--start", "1", "--start has 1 value but the model has 2 parameters"},
            {"--model", "b1*x + b3", "--start", "1,2,3", "uses b3 but not b2"},
            {"--model", "b1*(x", "--start", "1", "missing ')'"},
            {"--model", "b1*x", "--start", "one", "'one' is not a number"},
        };
        for (String[] c : cases) {
            CommandRun outcome = CommandRun.of("fit", c[0], c[1], "--data", csv.toString(), c[2], c[3]);
            assertEquals(2, outcome.code(), c[1]);
            assertTrue(outcome.err().contains(c[4]), c[1] + " -> " + outcome.err());
            assertEquals(1, outcome.err().strip().lines().count(), outcome.err());
        }
        Files.writeString(csv, "x,y\n1,2\n2,oops\n");
        CommandRun bad = CommandRun.of("fit", "--model", "b1*x", "--data", csv.toString(), "--start", "1");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("line 3: 'oops' in column 'y' is not a number"), bad.err());
    }

    @Test
    void aResponseFormulaFitsTheLogarithm() throws IOException {
        // y = 3 exp(0.5 x) exactly: fitting log(y) = log(b1) + b2 x recovers b1 = 3, b2 = 0.5.
        Path csv = directory.resolve("exp.csv");
        StringBuilder text = new StringBuilder("x,y\n");
        for (int i = 0; i < 8; i++) {
            text.append(i).append(',').append(3 * Math.exp(0.5 * i)).append('\n');
        }
        Files.writeString(csv, text);
        Path json = directory.resolve("exp.json");
        CommandRun fit = CommandRun.of("fit", "--model", "log(b1) + b2*x", "--response", "log(y)", "--data", csv.toString(), "--start", "1,0.1",
                "--json", json.toString());
        assertEquals(0, fit.code(), fit.err());
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertEquals(3.0, result.get("params").get(0).asDouble(), 1e-9);
        assertEquals(0.5, result.get("params").get(1).asDouble(), 1e-9);
    }

    @Test
    void undefinedStandardErrorsAreWrittenAsJsonNull() throws IOException {
        // two points, two parameters: an exact fit whose standard errors are undefined (NaN), which JSON cannot hold
        Path csv = directory.resolve("line.csv");
        Files.writeString(csv, "x,y\n1,3\n2,5\n");
        Path json = directory.resolve("line.json");
        CommandRun fit = CommandRun.of("fit", "--model", "b1 + b2*x", "--data", csv.toString(), "--start", "0,0", "--json", json.toString());
        assertEquals(0, fit.code(), fit.err());
        assertTrue(fit.out().contains("standard errors are undefined") && fit.out().contains("m - p = 0 degrees of freedom"), fit.out());
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertTrue(result.get("stderr").get(0).isNull() && result.get("stderr").get(1).isNull(), result.toString());
        assertEquals(2.0, result.get("params").get(1).asDouble(), 1e-9);
    }

    private CommandRun fit(String csvText, String... args) throws IOException {
        Path csv = directory.resolve("case.csv");
        Files.writeString(csv, csvText);
        List<String> all = new ArrayList<>(List.of("fit", "--data", csv.toString()));
        all.addAll(List.of(args));
        return CommandRun.of(all.toArray(new String[0]));
    }

    private static void assertOneLine(int code, CommandRun run, String... fragments) {
        assertEquals(code, run.code(), run.err() + run.out());
        for (String fragment : fragments) {
            assertTrue(run.err().contains(fragment), "missing '" + fragment + "' in: " + run.err());
        }
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(!run.err().contains("QR"), run.err());
    }

    private static final String SATURATING = "x,y\n1,1.1\n2,1.8\n3,2.5\n4,3.0\n5,3.3\n";

    @Test
    void fewerObservationsThanParametersIsBadUsageNamingBothCounts() throws IOException {
        assertOneLine(2, fit("x,y\n1,3\n", "--model", "b1 + b2*x", "--start", "0,0"), "1 observation", "2 parameters");
    }

    @Test
    void nanAndInfinityInTheCsvAreRefusedByLineAndColumn() throws IOException {
        assertOneLine(2, fit("x,y\n1,2\n2,NaN\n3,6\n", "--model", "b1*x", "--start", "1"), "line 3", "column 'y'", "NaN");
        // the line as it stands in the file: the comment and the header count
        assertOneLine(2, fit("# data\nx,y\n1,2\n2,3.9\nInfinity,6\n", "--model", "b1*x", "--start", "1"), "line 5", "column 'x'",
                "Infinity");
    }

    @Test
    void aStartWhereTheModelIsNotFiniteNamesTheRowAndTheStart() throws IOException {
        // exp(1000 x) overflows at the first data row (line 2)
        assertOneLine(2, fit(SATURATING, "--model", "b1*exp(b2*x)", "--start", "1,1000"), "b1 = 1", "b2 = 1000", "line 2", "Infinity",
                "--start");
        // log of a negative x at the second data row (line 3)
        assertOneLine(2, fit("x,y\n1,2\n-2,3.9\n3,6.1\n", "--model", "b1*log(x)", "--start", "1"), "b1 = 1", "line 3", "NaN", "x = -2");
        // log of a negative parameter: every row
        assertOneLine(2, fit(SATURATING, "--model", "log(b1)*x", "--start", "-1"), "b1 = -1", "line 2");
    }

    @Test
    void aResponseThatIsNotFiniteNamesTheRow() throws IOException {
        assertOneLine(2, fit("x,y\n1,2\n2,-1\n3,6\n", "--model", "b1*x", "--response", "log(y)", "--start", "1"), "--response", "line 3",
                "y = -1");
    }

    @Test
    void aStationaryStartIsNotAFit() throws IOException {
        // at b = (0, 0) both columns of the Jacobian of b1 (1 - exp(-b2 x)) vanish: the gradient is zero and the solver stops at once
        CommandRun run = fit(SATURATING, "--model", "b1*(1-exp(-b2*x))", "--start", "0,0");
        assertOneLine(1, run, "stationary point", "b1 = 0, b2 = 0", "try another --start");
        CommandRun good = fit(SATURATING, "--model", "b1*(1-exp(-b2*x))", "--start", "1,0.5");
        assertEquals(0, good.code(), good.err());
    }

    @Test
    void aParameterTheDataDoNotDetermineFailsTheFit() throws IOException {
        assertOneLine(1, fit(SATURATING, "--model", "b1*x + b2*0", "--start", "1,1"), "do not determine b2", "zero");
        // Gauss-Newton cannot step at all there: the same report, not the solver's internal message
        assertOneLine(1, fit(SATURATING, "--model", "b1*x + b2*0", "--start", "1,1", "--method", "gaussnewton"), "do not determine b2");
    }

    @Test
    void aRankDeficientJacobianNamesTheParametersItCannotSeparate() throws IOException {
        assertOneLine(1, fit(SATURATING, "--model", "b1*exp(b2*x) + b3*exp(b2*x)", "--start", "1,0.1,1"), "rank deficient",
                "b1, b3 are not separately determined");
    }

    @Test
    void aCaretGetsAHintToPow() throws IOException {
        assertOneLine(2, fit(SATURATING, "--model", "b1*x^2", "--start", "1"), "use pow(a, b) for powers");
        assertOneLine(2, fit(SATURATING, "--model", "b1*(x^2)", "--start", "1"), "use pow(a, b) for powers");
    }
}
