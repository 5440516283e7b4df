package dev.descent.optim;

import dev.descent.optim.firstorder.Adadelta;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.SGD;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyperparameters of one algorithm, in the order they are listed: what its options accept,
 * what {@code NAME:key=value} specifications may set, and what {@code --help} prints.
 *
 * <pre>{@code
 * static final HyperparameterSpec SPEC = HyperparameterSpec.of("Adadelta", Common.lr(1.0), RHO, Common.EPS.withDefault(1e-6),
 *         Common.WEIGHT_DECAY, Common.MAXIMIZE);
 * }</pre>
 */
public final class HyperparameterSpec {
    private final String owner;
    private final Map<String, Hyperparameter<?>> declarations = new LinkedHashMap<>();

    private HyperparameterSpec(String owner) {
        this.owner = owner;
    }

    /** The declarations of {@code owner} (the algorithm's name in messages), in order; names must not repeat. */
    public static HyperparameterSpec of(String owner, Hyperparameter<?>... declarations) {
        HyperparameterSpec spec = new HyperparameterSpec(owner);
        for (Hyperparameter<?> declaration : declarations) {
            if (spec.declarations.put(declaration.name(), declaration) != null) {
                throw new IllegalArgumentException(owner + ": hyperparameter '" + declaration.name() + "' is declared twice");
            }
        }
        return spec;
    }

    /** The algorithm's name, e.g. {@code Adam}. */
    public String owner() {
        return owner;
    }

    /** The names, in order. */
    public List<String> names() {
        return List.copyOf(declarations.keySet());
    }

    /** The declarations, in order. */
    public List<Hyperparameter<?>> declarations() {
        return List.copyOf(declarations.values());
    }

    /** The declaration named {@code name}; an error listing the valid names when there is none. */
    public Hyperparameter<?> get(String name) {
        Hyperparameter<?> declaration = declarations.get(name);
        if (declaration == null) {
            throw new IllegalArgumentException(owner + ": unknown hyperparameter '" + name + "'; valid: " + names());
        }
        return declaration;
    }

    /** {@code value} checked as the hyperparameter {@code name}, converted to its type. */
    public Object check(String name, Object value) {
        return get(name).check(owner, value);
    }

    /** Every default (the required ones, such as SGD's lr, hold NaN until set). */
    Hyperparameters defaults() {
        Hyperparameters values = new Hyperparameters();
        for (Hyperparameter<?> declaration : declarations.values()) {
            values.put(declaration.name(), declaration.defaultValue());
        }
        return values;
    }

    /** Refuses a required hyperparameter still unset in {@code values}, naming how to set it. */
    void requireSet(Hyperparameters values) {
        for (Hyperparameter<?> declaration : declarations.values()) {
            if (declaration.required() && values.get(declaration.name()) instanceof Double d && d.isNaN()) {
                throw new IllegalArgumentException(owner + ": " + declaration.name() + " is required (" + owner + ".options()."
                        + declaration.name() + "(...))");
            }
        }
    }

    /** One help line per hyperparameter. */
    public List<String> help() {
        List<String> lines = new ArrayList<>();
        for (Hyperparameter<?> declaration : declarations.values()) {
            lines.add(declaration.help());
        }
        return lines;
    }
}
