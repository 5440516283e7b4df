package dev.descent.examples;

import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.Optimizers;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code descent optimizers [NAME]}: every optimizer name a command accepts, with its
 * hyperparameters (kind, rule, default, meaning), all read from the algorithms' own declarations.
 */
final class OptimizersCommand {
    private OptimizersCommand() {
    }

    static int run(List<String> args, PrintStream out) {
        CommandLine line = new CommandLine("optimizers", "Lists the optimizers (--optimizer NAME[:key=value,...]) and their hyperparameters;"
                + " give a NAME for one.").parse(args.stream().filter(a -> a.startsWith("-")).toList());
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        List<String> names = args.stream().filter(a -> !a.startsWith("-")).toList();
        if (names.size() > 1) {
            throw new UsageException("optimizers: expected at most one NAME, got " + names);
        }
        List<String> shown = names.isEmpty() ? Optimizers.names() : List.of(Optimizers.nameOf(names.get(0)));
        for (String name : shown) {
            HyperparameterSpec spec;
            try {
                spec = Optimizers.hyperparameters(name);
            } catch (IllegalArgumentException e) {
                throw new UsageException("optimizers: " + e.getMessage());
            }
            out.println(name + " (" + spec.owner() + ")");
            for (Hyperparameter<?> declaration : spec.declarations()) {
                out.println("    " + declaration.help());
            }
        }
        return 0;
    }
}
