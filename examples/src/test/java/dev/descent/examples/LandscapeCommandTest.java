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

class LandscapeCommandTest {
    @TempDir
    Path directory;



    @Test
    void writesEveryStepOfEveryOptimizerAndAContourPicture() throws IOException {
        Path json = directory.resolve("quadratic.json");
        CommandRun outcome = CommandRun.of("landscape", "--function", "quadratic", "--start", "1,0.5", "--steps", "30", "--optimizers",
                "sgd:lr=0.01;adam:lr=0.05;lbfgs:lineSearch=strong_wolfe;newton;lm", "--out", directory.resolve("pic").toString(),
                "--json", json.toString());
        assertEquals(0, outcome.code(), outcome.err());
        String svg = Files.readString(directory.resolve("pic").resolve("landscape.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("data:image/png;base64,") && svg.contains("<polyline"), "an SVG with contours and paths");
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertEquals(5, result.get("optimizers").size());
        JsonNode sgd = result.get("optimizers").get(0);
        assertEquals("sgd:lr=0.01", sgd.get("spec").asText());
        assertEquals(31, sgd.get("points").size(), "the start and one point per step");
        // Plain gradient descent on (x^2 + 50 y^2) / 2 is x <- (1 - lr) x, y <- (1 - 50 lr) y: check the closed form.
        for (int k = 0; k <= 30; k++) {
            assertEquals(Math.pow(0.99, k), sgd.get("points").get(k).get(0).asDouble(), 1e-12);
            assertEquals(0.5 * Math.pow(0.5, k), sgd.get("points").get(k).get(1).asDouble(), 1e-12);
        }
        JsonNode newton = result.get("optimizers").get(3);
        assertEquals(0.0, newton.get("loss").get(1).asDouble(), 1e-20, "Newton lands on the minimum of a quadratic in one step");
        JsonNode lbfgs = result.get("optimizers").get(2);
        assertTrue(lbfgs.get("loss").get(lbfgs.get("loss").size() - 1).asDouble() < 1e-12);
    }

    @Test
    void badOptimizerListsAreOneClearLine() {
        CommandRun unknown = CommandRun.of("landscape", "--optimizers", "sgd:lr=1e-3;adamm", "--out", directory.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown name 'adamm'"), unknown.err());
        CommandRun notSquares = CommandRun.of("landscape", "--function", "saddle", "--optimizers", "lm", "--out", directory.toString());
        assertEquals(2, notSquares.code());
        assertTrue(notSquares.err().contains("lm needs a sum of squares, and saddle is not one"), notSquares.err());
        CommandRun start = CommandRun.of("landscape", "--start", "1", "--out", directory.toString());
        assertEquals(2, start.code());
        assertTrue(start.err().contains("--start expects x,y"), start.err());
    }
}
