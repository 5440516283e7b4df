package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecondOrderCommandTest {
    @TempDir
    Path directory;

    private JsonNode run(String problem, String iterations) throws IOException {
        Path dir = directory.resolve(problem);
        CommandRun run = CommandRun.of("second-order", "--problem", problem, "--iterations", iterations, "--out", dir.toString());
        assertEquals(0, run.code(), run.err());
        String html = Files.readString(dir.resolve("second-order.html"));
        assertTrue(html.contains("Loss against iterations") && html.contains("Loss against wall time") && html.contains("<svg"));
        return new ObjectMapper().readTree(dir.resolve("results.json").toFile());
    }

    @Test
    void secondOrderMethodsSolveRosenbrockWhereFirstOrderMethodsCrawl() throws IOException {
        JsonNode results = run("rosenbrock", "500");
        for (String method : new String[] {"L-BFGS", "Newton", "Gauss-Newton", "Levenberg-Marquardt"}) {
            assertTrue(results.get(method).get("finalLoss").asDouble() < 1e-10, method + ": " + results.get(method));
            assertTrue(results.get(method).get("iterations").asInt() < 60, method + " iterations");
        }
        for (String method : new String[] {"GD", "Momentum"}) {
            assertTrue(results.get(method).get("finalLoss").asDouble() > 1e-3, method + " after 500 steps");
            assertEquals(500, results.get(method).get("iterations").asInt());
        }
        JsonNode lbfgs = results.get("L-BFGS");
        assertEquals(lbfgs.get("loss").size(), lbfgs.get("time").size(), "one time per recorded loss");
    }

    @Test
    void newtonSolvesTheLinearProblemAtOnce() throws IOException {
        JsonNode results = run("linear", "300");
        double best = results.get("Newton").get("loss").get(1).asDouble();
        assertEquals(results.get("Gauss-Newton").get("finalLoss").asDouble(), best, 1e-12, "one Newton step reaches the least-squares loss");
        assertTrue(results.get("GD").get("finalLoss").asDouble() > best * 1.01, "GD is still above it after 300 steps");
    }
}
