package dev.descent.optim.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The values of a schedule's state dict, written so that any JSON library keeps them exactly
 * (finite numbers as numbers; NaN and the infinities, which JSON has no numbers for, as the
 * strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"}) and read back from what such
 * a library returns (any {@link Number}, lists for arrays), with errors that name the operation,
 * the key and what it held.
 */
final class StateDictValues {
    private final String operation;
    private final Map<String, ?> state;

    /** Reads {@code state} for {@code operation} (the name errors begin with, e.g. {@code StepLR.loadStateDict}). */
    StateDictValues(String operation, Map<String, ?> state) {
        if (state == null) {
            throw new IllegalArgumentException(operation + ": the state dict is null");
        }
        this.operation = operation;
        this.state = state;
    }

    // ---------------------------------------------------------------- writing

    /** {@code value} as a JSON-safe object: the Double itself when finite, else its name. */
    static Object real(double value) {
        return Double.isFinite(value) ? (Object) value : Double.toString(value);
    }

    static List<Object> reals(double[] values) {
        List<Object> list = new ArrayList<>(values.length);
        for (double value : values) {
            list.add(real(value));
        }
        return list;
    }

    static List<Integer> integers(int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int value : values) {
            list.add(value);
        }
        return list;
    }

    // ---------------------------------------------------------------- reading

    private Object require(String key) {
        Object value = state.get(key);
        if (value == null) {
            throw new IllegalArgumentException(operation + ": the state dict has no '" + key + "' (it has " + state.keySet() + ")");
        }
        return value;
    }

    int integer(String key) {
        Object value = require(key);
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
            return n.intValue();
        }
        throw new IllegalArgumentException(operation + ": '" + key + "' must be an integer, got " + describe(value));
    }

    double real(String key) {
        return toReal(key, require(key));
    }

    private double toReal(String key, Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String text && (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity"))) {
            return Double.parseDouble(text);
        }
        throw new IllegalArgumentException(operation + ": '" + key + "' must be a number, got " + describe(value));
    }

    /** A list (or array) of {@code length} numbers. */
    double[] reals(String key, int length) {
        List<?> list = list(key);
        if (list.size() != length) {
            throw new IllegalArgumentException(operation + ": '" + key + "' must hold " + length + " values (one per parameter group), got "
                    + list.size());
        }
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = toReal(key, list.get(i));
        }
        return values;
    }

    String text(String key) {
        Object value = require(key);
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(operation + ": '" + key + "' must be a string, got " + describe(value));
        }
        return text;
    }

    List<?> list(String key) {
        Object value = require(key);
        if (value instanceof double[] array) {
            return reals(array);
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(operation + ": '" + key + "' must be a list, got " + describe(value));
        }
        return list;
    }

    /** A nested state dict, such as one of SequentialLR's schedules. */
    @SuppressWarnings("unchecked")
    Map<String, ?> map(String key, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(operation + ": '" + key + "' must be a state dict (a map), got " + describe(value));
        }
        return (Map<String, ?>) map;
    }

    /**
     * Checks that the state is of a {@code kind} schedule configured as {@code expected} (the
     * schedule's own settings): a state from another configuration would continue another schedule.
     */
    void requireSettings(String kind, Map<String, Object> expected) {
        String saved = text("scheduler");
        if (!saved.equals(kind)) {
            throw new IllegalArgumentException(operation + ": the state dict is of a " + saved + ", not a " + kind);
        }
        Map<String, ?> settings = map("settings", require("settings"));
        for (Map.Entry<String, Object> entry : expected.entrySet()) {
            Object given = settings.get(entry.getKey());
            if (!same(given, entry.getValue())) {
                throw new IllegalArgumentException(operation + ": the state dict is of a " + kind + " with " + entry.getKey() + " "
                        + describe(given) + ", but this one has " + describe(entry.getValue()));
            }
        }
    }

    /** Equal values, numbers compared exactly whatever their boxed type (a JSON reader may return Integer, Long or Double). */
    private static boolean same(Object a, Object b) {
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        Double x = numeric(a);
        Double y = numeric(b);
        if (x != null && y != null) {
            return Double.compare(x, y) == 0;
        }
        return Objects.equals(a, b);
    }

    private static Double numeric(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String text && (text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity"))) {
            return Double.parseDouble(text);
        }
        return null;
    }

    private static String describe(Object value) {
        return value == null ? "nothing" : value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }
}
