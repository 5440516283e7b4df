package dev.descent.optim;

import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.AdamW;
import dev.descent.optim.firstorder.SGD;
import dev.descent.optim.secondorder.BFGS;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * One hyperparameter of an optimizer, declared once: its name (torch.optim's, in camel case), its
 * kind (a number, an integer, a flag, a pair such as {@code betas}, or a choice by name), its
 * default, the rule a value must satisfy, and one line of description. Everything a user meets
 * comes from the declaration: the typed setters of an optimizer's options, the
 * {@code adam:lr=0.05} parser of {@link Optimizers}, the help text, and the validation messages.
 *
 * <pre>{@code
 * static final Hyperparameter<Double> RHO = Hyperparameter.number("rho", 0.9, Hyperparameter.Rule.UNIT_INTERVAL,
 *         "decay rate of the running average of squared gradients");
 * double rho = group.get(RHO);
 * }</pre>
 *
 * @param <T> the value's Java type: Double, Integer, Boolean, double[] (a pair) or String (a choice)
 */
public final class Hyperparameter<T> {

    /** The kinds of value, with the Java type each is held as. */
    public enum Kind {
        NUMBER(Double.class, "a number"), INTEGER(Integer.class, "an integer"), FLAG(Boolean.class, "true or false"),
        PAIR(double[].class, "a pair a/b"), CHOICE(String.class, "a name");

        private final Class<?> type;
        private final String description;

        Kind(Class<?> type, String description) {
            this.type = type;
            this.description = description;
        }

        /** How the kind is named in messages, e.g. {@code a number}. */
        public String description() {
            return description;
        }
    }

    /**
     * A condition on a value, with the words that state it in messages: {@code condition} may
     * name the value as <code>{}</code> ({@code 0 <= {} <= 1}). For a pair the test applies to
     * each element.
     */
    public record Rule(String condition, Predicate<Object> test) {
        /** Any value of the right kind. */
        public static final Rule ANY = new Rule("", value -> true);
        /** A number or integer at least 0. */
        public static final Rule NON_NEGATIVE = new Rule(">= 0", value -> number(value) >= 0);
        /** A number or integer greater than 0. */
        public static final Rule POSITIVE = new Rule("> 0", value -> number(value) > 0);
        /** A number in [0, 1]. */
        public static final Rule UNIT_INTERVAL = new Rule("0 <= {} <= 1", value -> number(value) >= 0 && number(value) <= 1);
        /** An integer at least 1. */
        public static final Rule AT_LEAST_ONE = new Rule(">= 1", value -> number(value) >= 1);
        /** A decay rate in [0, 1), such as each of Adam's betas. */
        public static final Rule DECAY_RATE = new Rule("0 <= beta < 1", value -> number(value) >= 0 && number(value) < 1);

        /** One of {@code names}. */
        public static Rule oneOf(List<String> names) {
            return new Rule("one of " + names, names::contains);
        }

        /** The condition as written in a message about {@code name}. */
        String statedFor(String name) {
            return condition.replace("{}", name);
        }

        private static double number(Object value) {
            return ((Number) value).doubleValue();
        }
    }

    private final String name;
    private final Kind kind;
    private final T defaultValue;
    private final Rule rule;
    private final String description;

    private Hyperparameter(String name, Kind kind, T defaultValue, Rule rule, String description) {
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.rule = rule;
        this.description = description;
    }

    /** A real number; a NaN default means the user must set it (SGD's learning rate). */
    public static Hyperparameter<Double> number(String name, double defaultValue, Rule rule, String description) {
        return new Hyperparameter<>(name, Kind.NUMBER, defaultValue, rule, description);
    }

    /** A count, such as L-BFGS's {@code historySize}. */
    public static Hyperparameter<Integer> integer(String name, int defaultValue, Rule rule, String description) {
        return new Hyperparameter<>(name, Kind.INTEGER, defaultValue, rule, description);
    }

    /** A switch, such as Adam's {@code amsgrad}. */
    public static Hyperparameter<Boolean> flag(String name, boolean defaultValue, String description) {
        return new Hyperparameter<>(name, Kind.FLAG, defaultValue, Rule.ANY, description);
    }

    /** A pair, such as Adam's {@code betas}. */
    public static Hyperparameter<double[]> pair(String name, double first, double second, Rule rule, String description) {
        return new Hyperparameter<>(name, Kind.PAIR, new double[] {first, second}, rule, description);
    }

    /** A choice among {@code names}, such as L-BFGS's {@code lineSearch}. */
    public static Hyperparameter<String> choice(String name, String defaultValue, List<String> names, String description) {
        return new Hyperparameter<>(name, Kind.CHOICE, defaultValue, Rule.oneOf(names), description);
    }

    /** The same declaration with another default (AdamW's weight decay 1e-2 where Adam's is 0). */
    public Hyperparameter<T> withDefault(T value) {
        return new Hyperparameter<>(name, kind, value, rule, description);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The default (a copy for a pair); NaN for a number the user must set. */
    @SuppressWarnings("unchecked")
    public T defaultValue() {
        return defaultValue instanceof double[] pair ? (T) pair.clone() : defaultValue;
    }

    public Rule rule() {
        return rule;
    }

    public String description() {
        return description;
    }

    /** Whether the user must set it: a number declared with a NaN default. */
    public boolean required() {
        return defaultValue instanceof Double d && d.isNaN();
    }

    /**
     * {@code value} as this hyperparameter's type, checked against its rule; an
     * {@link IllegalArgumentException} naming {@code owner}, the value and what was expected
     * otherwise. An integer-valued number is accepted for an integer, and an integer for a number.
     */
    @SuppressWarnings("unchecked")
    public T check(String owner, Object value) {
        Object converted = convert(value);
        if (converted == null) {
            throw new IllegalArgumentException(owner + ": hyperparameter '" + name + "' expects " + kind.description() + ", got "
                    + Hyperparameters.describe(value));
        }
        if (converted instanceof double[] pair) {
            for (int i = 0; i < pair.length; i++) {
                if (!rule.test().test(pair[i])) {
                    throw new IllegalArgumentException(owner + ": invalid " + name + "[" + i + "] " + pair[i] + " (expected "
                            + rule.statedFor(name) + ")");
                }
            }
        } else if (!rule.test().test(converted)) {
            throw new IllegalArgumentException(owner + ": invalid " + name + " " + converted + " (expected " + rule.statedFor(name) + ")");
        }
        return (T) converted;
    }

    private Object convert(Object value) {
        if (value == null) {
            return null;
        }
        switch (kind) {
            case NUMBER:
                return value instanceof Double || value instanceof Integer ? ((Number) value).doubleValue() : null;
            case INTEGER:
                if (value instanceof Integer) {
                    return value;
                }
                if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
                    return d.intValue();
                }
                return null;
            case PAIR:
                return value instanceof double[] pair && pair.length == 2 ? pair.clone() : null;
            default:
                return kind.type.isInstance(value) ? value : null;
        }
    }

    /** Reads a value as written in a specification such as {@code adam:lr=0.05,betas=0.9/0.999}. */
    public T parse(String owner, String text) {
        String trimmed = text.trim();
        Object value;
        try {
            value = switch (kind) {
                case NUMBER -> Double.parseDouble(trimmed);
                case INTEGER -> Integer.parseInt(trimmed);
                case FLAG -> {
                    String lower = trimmed.toLowerCase(Locale.ROOT);
                    if (!lower.equals("true") && !lower.equals("false")) {
                        throw new NumberFormatException(trimmed);
                    }
                    yield Boolean.parseBoolean(lower);
                }
                case PAIR -> {
                    String[] parts = trimmed.split("/");
                    if (parts.length != 2) {
                        throw new NumberFormatException(trimmed);
                    }
                    yield new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
                }
                case CHOICE -> {
                    if (!trimmed.matches("[A-Za-z_][A-Za-z_0-9]*")) {
                        throw new NumberFormatException(trimmed);
                    }
                    yield trimmed;
                }
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(owner + ": hyperparameter '" + name + "' expects " + kind.description() + ", got " + text);
        }
        return check(owner, value);
    }

    /** One line of help: {@code eps (a number >= 0, default 1e-08): added to the denominator}. */
    public String help() {
        String condition = rule.condition().isEmpty() || kind == Kind.CHOICE ? "" : ", " + rule.statedFor(name);
        String choices = kind == Kind.CHOICE ? ", " + rule.condition() : "";
        String shown = defaultValue instanceof double[] pair ? pair[0] + "/" + pair[1] : Hyperparameters.describe(defaultValue);
        String fallback = required() ? "required" : "default " + shown;
        return name + " (" + kind.description() + condition + choices + ", " + fallback + "): " + description;
    }

    @Override
    public String toString() {
        return name;
    }
}
