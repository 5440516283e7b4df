package dev.descent.optim;

import dev.descent.optim.secondorder.BFGS;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named hyperparameter values, as in a {@code torch.optim} parameter group: numbers, integers,
 * booleans, pairs such as {@code betas}, and names of a choice such as L-BFGS's
 * {@code lineSearch}. Each optimizer declares its own once ({@link Hyperparameter},
 * {@link HyperparameterSpec}); algorithms read them typed, {@code group.get(RHO)}. The names are
 * torch.optim's, in camel case ({@code weightDecay}, {@code lrDecay}).
 */
public class Hyperparameters {
    private final Map<String, Object> values = new LinkedHashMap<>();

    /** The names that have a value. */
    public Set<String> names() {
        return values.keySet();
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value of {@code declaration}, typed. */
    @SuppressWarnings("unchecked")
    public <T> T get(Hyperparameter<T> declaration) {
        Object value = require(declaration.name());
        return value instanceof double[] pair ? (T) pair.clone() : (T) value;
    }

    /** A number or an integer (or 1/0 for a boolean). */
    public double getDouble(String name) {
        Object value = require(name);
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (!(value instanceof Double || value instanceof Integer)) {
            throw new IllegalStateException("hyperparameter " + name + " is not a number: " + describe(value));
        }
        return ((Number) value).doubleValue();
    }

    /** An integer, such as L-BFGS's {@code historySize}. */
    public int getInt(String name) {
        Object value = require(name);
        if (!(value instanceof Integer i)) {
            throw new IllegalStateException("hyperparameter " + name + " is not an integer: " + describe(value));
        }
        return i;
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

    /** The raw value: a Double, an Integer, a Boolean, a double[] or a String. */
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

    /** Sets a value (Double, Integer, Boolean, double[] or String). */
    void put(String name, Object value) {
        if (!(value instanceof Double || value instanceof Integer || value instanceof Boolean || value instanceof double[]
                || value instanceof String)) {
            throw new IllegalArgumentException("hyperparameter " + name + " must be a number, an integer, a boolean, a pair or a name, got "
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
