package dev.descent.optim;

import dev.descent.autograd.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Optimizers by name, in the one form a user types everywhere (docs/architecture.md, Conventions):
 * {@code NAME[:key=value,...]}, with torch.optim's class name in lower case and Descent's
 * hyperparameter names, e.g. {@code adam:lr=0.05,betas=0.9/0.999} or
 * {@code sgd:lr=0.05,momentum=0.9,nesterov=true}. Pairs are written {@code a/b}.
 *
 * <pre>{@code
 * Optimizer optimizer = Optimizers.create("adamw:lr=3e-4,weightDecay=0.05", model.parameters());
 * }</pre>
 */
public final class Optimizers {
    private record Entry(Supplier<OptimizerOptions<?>> options, BiFunction<List<? extends Tensor>, OptimizerOptions<?>, Optimizer> build) {
    }

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("sgd", new Entry(SGD::options, (p, o) -> new SGD(p, (SGD.Options) o)));
        REGISTRY.put("adagrad", new Entry(Adagrad::options, (p, o) -> new Adagrad(p, (Adagrad.Options) o)));
        REGISTRY.put("rmsprop", new Entry(RMSprop::options, (p, o) -> new RMSprop(p, (RMSprop.Options) o)));
        REGISTRY.put("adadelta", new Entry(Adadelta::options, (p, o) -> new Adadelta(p, (Adadelta.Options) o)));
        REGISTRY.put("adam", new Entry(Adam::options, (p, o) -> new Adam(p, (Adam.Options) o)));
        REGISTRY.put("adamw", new Entry(AdamW::options, (p, o) -> new AdamW(p, (AdamW.Options) o)));
        REGISTRY.put("adamax", new Entry(Adamax::options, (p, o) -> new Adamax(p, (Adamax.Options) o)));
        REGISTRY.put("nadam", new Entry(NAdam::options, (p, o) -> new NAdam(p, (NAdam.Options) o)));
        REGISTRY.put("radam", new Entry(RAdam::options, (p, o) -> new RAdam(p, (RAdam.Options) o)));
        REGISTRY.put("nesterovrmsprop", new Entry(NesterovRMSprop::options, (p, o) -> new NesterovRMSprop(p, (NesterovRMSprop.Options) o)));
        REGISTRY.put("lbfgs", new Entry(LBFGS::options, (p, o) -> new LBFGS(p, (LBFGS.Options) o)));
        REGISTRY.put("bfgs", new Entry(BFGS::options, (p, o) -> new BFGS(p, (BFGS.Options) o)));
    }

    private Optimizers() {
    }

    /** The names {@link #create} accepts. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** Builds the optimizer {@code spec} names over {@code params}; errors name the valid choices. */
    public static Optimizer create(String spec, List<? extends Tensor> params) {
        return create(spec, params, Double.NaN);
    }

    /** As {@link #create(String, List)}, with the learning rate set to {@code lr} unless it is NaN. */
    public static Optimizer create(String spec, List<? extends Tensor> params, double lr) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("optimizer: empty specification; expected NAME[:key=value,...] with NAME one of " + names());
        }
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(java.util.Locale.ROOT);
        Entry entry = REGISTRY.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("optimizer: unknown name '" + name + "'; valid: " + names());
        }
        OptimizerOptions<?> options = entry.options().get();
        if (colon >= 0 && colon < spec.length() - 1) {
            for (String pair : spec.substring(colon + 1).split(",")) {
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("optimizer: '" + pair + "' in '" + spec + "' is not key=value");
                }
                options.set(pair.substring(0, equals).trim(), parseValue(spec, pair.substring(equals + 1).trim()));
            }
        }
        if (!Double.isNaN(lr)) {
            options.lr(lr);
        }
        return entry.build().apply(params, options);
    }

    /**
     * {@code spec} with {@code defaults} (a specification of the same optimizer) filled in for the
     * keys it does not set: how a program states its own defaults for one optimizer, e.g.
     * {@code withDefaults(userSpec, "lbfgs:historySize=10,maxIter=4")}. A spec of another optimizer
     * is returned unchanged.
     */
    public static String withDefaults(String spec, String defaults) {
        if (spec == null || spec.isBlank() || defaults == null || defaults.isBlank()) {
            throw new IllegalArgumentException("optimizer: withDefaults needs a specification and defaults of the form NAME[:key=value,...],"
                    + " got '" + spec + "' and '" + defaults + "'");
        }
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(java.util.Locale.ROOT);
        int defaultsColon = defaults.indexOf(':');
        String defaultsName = (defaultsColon < 0 ? defaults : defaults.substring(0, defaultsColon)).trim().toLowerCase(java.util.Locale.ROOT);
        if (!name.equals(defaultsName) || defaultsColon < 0) {
            return spec;
        }
        String own = colon < 0 ? "" : spec.substring(colon + 1).trim();
        // the spec's own keys come last, so they are set after the defaults and win
        return name + ":" + defaults.substring(defaultsColon + 1).trim() + (own.isEmpty() ? "" : "," + own);
    }

    private static Object parseValue(String spec, String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        try {
            if (text.contains("/")) {
                String[] parts = text.split("/");
                if (parts.length != 2) {
                    throw new NumberFormatException(text);
                }
                return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
            }
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            if (text.matches("[A-Za-z_][A-Za-z_0-9]*")) {
                return text; // a choice by name, e.g. lineSearch=strong_wolfe; the optimizer validates it
            }
            throw new IllegalArgumentException("optimizer: value '" + text + "' in '" + spec + "' is not a number, a boolean, a"
                    + " pair a/b or a name");
        }
    }
}
