package dev.descent.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named hyperparameter values, as in a {@code torch.optim} parameter group: numbers, booleans,
 * pairs such as {@code betas}, and names of a choice such as L-BFGS's {@code lineSearch}. Each optimizer's {@code Options} class sets them with typed,
 * fluent methods; the names are torch.optim's, in camel case ({@code weightDecay}, {@code lrDecay}).
 */
public class Hyperparameters {
    private final Map<String, Object> values = new LinkedHashMap<>();

    /** Defaults from alternating names and values: {@code of("lr", 1e-3, "amsgrad", false)}. */
    static Hyperparameters of(Object... namesAndValues) {
        Hyperparameters result = new Hyperparameters();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            result.put((String) namesAndValues[i], value instanceof Number n ? n.doubleValue() : value);
        }
        return result;
    }

    /** The names that have a value. */
    public Set<String> names() {
        return values.keySet();
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A number (or 1/0 for a boolean). */
    public double getDouble(String name) {
        Object value = require(name);
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (!(value instanceof Double d)) {
            throw new IllegalStateException("hyperparameter " + name + " is not a number: " + describe(value));
        }
        return d;
    }

    public boolean getBoolean(String name) {
        Object value = require(name);
        if (!(value instanceof Boolean b)) {
            throw new IllegalStateException("hyperparameter " + name + " is not a boolean: " + describe(value));
        }
        return b;
    }

    /** A pair such as {@code betas} (a copy). */
    public double[] getPair(String name) {
        Object value = require(name);
        if (!(value instanceof double[] pair)) {
            throw new IllegalStateException("hyperparameter " + name + " is not a pair: " + describe(value));
        }
        return pair.clone();
    }

    /** A choice by name, such as {@code strong_wolfe}. */
    public String getString(String name) {
        Object value = require(name);
        if (!(value instanceof String text)) {
            throw new IllegalStateException("hyperparameter " + name + " is not a name: " + describe(value));
        }
        return text;
    }

    /** The raw value: a Double, a Boolean, a double[] or a String. */
    public Object get(String name) {
        Object value = require(name);
        return value instanceof double[] pair ? pair.clone() : value;
    }

    private Object require(String name) {
        Object value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no hyperparameter named '" + name + "'; set: " + values.keySet());
        }
        return value;
    }

    /** Sets a value (Double, Boolean, double[] or String). */
    void put(String name, Object value) {
        if (!(value instanceof Double || value instanceof Boolean || value instanceof double[] || value instanceof String)) {
            throw new IllegalArgumentException("hyperparameter " + name + " must be a number, a boolean, a pair or a name, got "
                    + describe(value));
        }
        values.put(name, value instanceof double[] pair ? pair.clone() : value);
    }

    /** Copies every value of {@code other} over this one's. */
    void putAll(Hyperparameters other) {
        other.values.forEach(this::put);
    }

    static String describe(Object value) {
        return value instanceof double[] pair ? Arrays.toString(pair) : String.valueOf(value);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        values.forEach((k, v) -> text.append(text.length() > 1 ? ", " : "").append(k).append('=').append(describe(v)));
        return text.append('}').toString();
    }
}
