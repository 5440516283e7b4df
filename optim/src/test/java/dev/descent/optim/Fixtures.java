package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The PyTorch fixtures of tools/optim_fixtures.py, and the comparison the tests use. */
public final class Fixtures {
    private static final java.util.Map<String, JsonNode> LOADED = new java.util.HashMap<>();

    private Fixtures() {
    }

    public static JsonNode root() {
        return load("optim_pytorch.json", "tools/optim_fixtures.py");
    }

    /** The fixture file {@code name} under src/test/resources/fixtures, written by {@code generator}. */
    public static synchronized JsonNode load(String name, String generator) {
        return LOADED.computeIfAbsent(name, key -> {
            try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + key)) {
                assertNotNull(in, "fixtures/" + key + " is missing: run " + generator);
                return new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    /** Each element within {@code tolerance} relative to the largest magnitude of {@code expected}. */
    public static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (expected.length != actual.length) {
            fail(what + ": " + expected.length + " values expected, got " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tolerance * Math.max(scale, Math.abs(expected[i])))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
