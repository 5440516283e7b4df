package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.optim.firstorder.Adadelta;
import dev.descent.optim.firstorder.Adagrad;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.AdamW;
import dev.descent.optim.firstorder.Adamax;
import dev.descent.optim.firstorder.NAdam;
import dev.descent.optim.firstorder.NesterovRMSprop;
import dev.descent.optim.firstorder.RAdam;
import dev.descent.optim.firstorder.RMSprop;
import dev.descent.optim.firstorder.SGD;
import dev.descent.optim.leastsquares.GaussNewton;
import dev.descent.optim.leastsquares.LeastSquaresOptimizer;
import dev.descent.optim.leastsquares.Levenberg;
import dev.descent.optim.leastsquares.LevenbergMarquardt;
import dev.descent.optim.secondorder.BFGS;
import dev.descent.optim.secondorder.LBFGS;
import dev.descent.optim.secondorder.Newton;
import dev.descent.optim.secondorder.NewtonCG;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Optimizers by name, in the one form a user types everywhere (docs/architecture.md, Conventions):
 * {@code NAME[:key=value,...]}, with torch.optim's class name in lower case and Descent's
 * hyperparameter names, e.g. {@code adam:lr=0.05,betas=0.9/0.999} or
 * {@code sgd:lr=0.05,momentum=0.9,nesterov=true}. Pairs are written {@code a/b}; each value is
 * read as its hyperparameter's declared kind ({@link Hyperparameter}). Every method is here, from
 * {@code sgd} to {@code levenbergmarquardt} (also {@code lm}); {@link #hyperparameters(String)} describes each
 * one's hyperparameters ({@code descent optimizers} prints them).
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
        register("sgd", SGD::options, (p, o) -> new SGD(p, (SGD.Options) o));
        register("adagrad", Adagrad::options, (p, o) -> new Adagrad(p, (Adagrad.Options) o));
        register("rmsprop", RMSprop::options, (p, o) -> new RMSprop(p, (RMSprop.Options) o));
        register("adadelta", Adadelta::options, (p, o) -> new Adadelta(p, (Adadelta.Options) o));
        register("adam", Adam::options, (p, o) -> new Adam(p, (Adam.Options) o));
        register("adamw", AdamW::options, (p, o) -> new AdamW(p, (AdamW.Options) o));
        register("adamax", Adamax::options, (p, o) -> new Adamax(p, (Adamax.Options) o));
        register("nadam", NAdam::options, (p, o) -> new NAdam(p, (NAdam.Options) o));
        register("radam", RAdam::options, (p, o) -> new RAdam(p, (RAdam.Options) o));
        register("nesterovrmsprop", NesterovRMSprop::options, (p, o) -> new NesterovRMSprop(p, (NesterovRMSprop.Options) o));
        register("lbfgs", LBFGS::options, (p, o) -> new LBFGS(p, (LBFGS.Options) o));
        register("bfgs", BFGS::options, (p, o) -> new BFGS(p, (BFGS.Options) o));
        register("newton", Newton::options, (p, o) -> new Newton(p, (Newton.Options) o));
        register("newtoncg", NewtonCG::options, (p, o) -> new NewtonCG(p, (NewtonCG.Options) o));
        register("gaussnewton", GaussNewton::options, (p, o) -> new GaussNewton(p, (LeastSquaresOptimizer.Options) o));
        register("levenberg", Levenberg::options, (p, o) -> new Levenberg(p, (LeastSquaresOptimizer.Options) o));
        register("levenbergmarquardt", LevenbergMarquardt::options, (p, o) -> new LevenbergMarquardt(p, (LeastSquaresOptimizer.Options) o));
    }

    /** Short names a user may type for a registered one ({@code lm} for Levenberg-Marquardt). */
    private static final Map<String, String> ALIASES = Map.of("lm", "levenbergmarquardt");

    private static void register(String name, Supplier<OptimizerOptions<?>> options,
                                 BiFunction<List<? extends Tensor>, OptimizerOptions<?>, Optimizer> build) {
        REGISTRY.put(name, new Entry(options, build));
    }

    private Optimizers() {
    }

    /** The names {@link #create} accepts, first-order methods first. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The declarations of {@code name}'s hyperparameters: kinds, defaults, rules and descriptions, for help texts. */
    public static HyperparameterSpec hyperparameters(String name) {
        return entry(name).options().get().spec();
    }

    /** The lower-case name {@code spec} names (its part before a colon), aliases resolved; not checked. */
    public static String nameOf(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("optimizer: empty specification; expected NAME[:key=value,...] with NAME one of " + names());
        }
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(java.util.Locale.ROOT);
        return ALIASES.getOrDefault(name, name);
    }

    private static Entry entry(String name) {
        Entry entry = REGISTRY.get(ALIASES.getOrDefault(name, name));
        if (entry == null) {
            throw new IllegalArgumentException("optimizer: unknown name '" + name + "'; valid: " + names());
        }
        return entry;
    }

    /** Builds the optimizer {@code spec} names over {@code params}; errors name the valid choices. */
    public static Optimizer create(String spec, List<? extends Tensor> params) {
        return create(spec, params, Double.NaN);
    }

    /** As {@link #create(String, List)}, with the learning rate set to {@code lr} unless it is NaN. */
    public static Optimizer create(String spec, List<? extends Tensor> params, double lr) {
        Entry entry = entry(nameOf(spec));
        OptimizerOptions<?> options = entry.options().get();
        HyperparameterSpec declarations = options.spec();
        int colon = spec.indexOf(':');
        if (colon >= 0 && colon < spec.length() - 1) {
            for (String pair : spec.substring(colon + 1).split(",")) {
                int equals = pair.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("optimizer: '" + pair + "' in '" + spec + "' is not key=value");
                }
                Hyperparameter<?> declaration = declarations.get(pair.substring(0, equals).trim());
                options.set(declaration.name(), declaration.parse(declarations.owner(), pair.substring(equals + 1)));
            }
        }
        if (!Double.isNaN(lr)) {
            options.set("lr", lr);
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
        String name = nameOf(spec);
        int defaultsColon = defaults.indexOf(':');
        String defaultsName = nameOf(defaults);
        if (!name.equals(defaultsName) || defaultsColon < 0) {
            return spec;
        }
        String own = colon < 0 ? "" : spec.substring(colon + 1).trim();
        // the spec's own keys come last, so they are set after the defaults and win
        return name + ":" + defaults.substring(defaultsColon + 1).trim() + (own.isEmpty() ? "" : "," + own);
    }
}
