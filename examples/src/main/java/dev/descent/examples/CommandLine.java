package dev.descent.examples;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flags of one subcommand: each declared with its default and help text, parsed from
 * {@code --name value} (or {@code --name=value}; {@code --name} alone for switches). Unknown
 * flags, missing values and values of the wrong type are {@link UsageException}s.
 */
final class CommandLine {
    private record Flag(String name, String defaultValue, String help, boolean isSwitch) {
    }

    private final String command;
    private final String summary;
    private final Map<String, Flag> flags = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private boolean help;

    CommandLine(String command, String summary) {
        this.command = command;
        this.summary = summary;
    }

    /** Declares a flag taking a value; {@code defaultValue} may be null (no default). */
    CommandLine flag(String name, String defaultValue, String help) {
        flags.put(name, new Flag(name, defaultValue, help, false));
        return this;
    }

    /** Declares an on/off switch, off by default. */
    CommandLine toggle(String name, String help) {
        flags.put(name, new Flag(name, "false", help, true));
        return this;
    }

    CommandLine parse(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + arg + "' (see descent " + command + " --help)");
            }
            String name = arg.substring(2);
            String value = null;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            Flag flag = flags.get(name);
            if (flag == null) {
                throw new UsageException(command + ": unknown flag --" + name + " (valid: " + String.join(", ",
                        flags.keySet().stream().map(k -> "--" + k).toList()) + ")");
            }
            if (flag.isSwitch()) {
                values.put(name, value == null ? "true" : value);
            } else {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                values.put(name, value);
            }
        }
        return this;
    }

    /** Values from a saved configuration, for every flag not given on the command line. */
    void defaults(Map<String, String> saved) {
        saved.forEach((name, value) -> {
            if (!flags.containsKey(name)) {
                throw new UsageException(command + ": the configuration names an unknown flag '" + name + "'");
            }
            values.putIfAbsent(name, value);
        });
    }

    /** Every flag's effective value, for saving a run's configuration. */
    Map<String, String> effective() {
        Map<String, String> all = new LinkedHashMap<>();
        flags.keySet().forEach(name -> {
            if (string(name) != null) {
                all.put(name, string(name));
            }
        });
        return all;
    }

    boolean helpRequested() {
        return help;
    }

    String string(String name) {
        String value = values.get(name);
        return value != null ? value : flags.get(name).defaultValue();
    }

    boolean isSet(String name) {
        return values.containsKey(name);
    }

    int integer(String name, int min) {
        String text = string(name);
        try {
            int value = Integer.parseInt(text);
            if (value < min) {
                throw new UsageException(command + ": --" + name + " must be at least " + min + ", got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + text + "'");
        }
    }

    /**
     * The {@code --threads} flag: at least 1, and at most the cores the JVM may use; more is
     * capped to the cores, with one warning line on {@code err} (more threads than cores only
     * contend: 1000 on 2 cores runs several times slower).
     */
    int threads(PrintStream err) {
        int requested = integer("threads", 1);
        int cores = Runtime.getRuntime().availableProcessors();
        if (requested > cores) {
            err.println("descent: " + command + ": warning: --threads " + requested + " is more than the " + cores + " core(s) here;"
                    + " capped to " + cores);
            return cores;
        }
        return requested;
    }

    double real(String name) {
        String text = string(name);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + text + "'");
        }
    }

    boolean bool(String name) {
        String text = string(name);
        if (!text.equals("true") && !text.equals("false")) {
            throw new UsageException(command + ": --" + name + " takes no value or true/false, got '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    /** One of {@code choices}. */
    String choice(String name, String... choices) {
        String value = string(name);
        for (String choice : choices) {
            if (choice.equals(value)) {
                return value;
            }
        }
        throw new UsageException(command + ": --" + name + " must be one of " + String.join(", ", choices) + ", got '" + value + "'");
    }

    String usage() {
        StringBuilder text = new StringBuilder("usage: descent " + command + " [flags]\n" + summary + "\n\nflags:\n");
        for (Flag flag : flags.values()) {
            String left = "  --" + flag.name() + (flag.isSwitch() ? "" : " VALUE");
            text.append(String.format("%-26s %s", left, flag.help()));
            if (!flag.isSwitch() && flag.defaultValue() != null) {
                text.append(" (default: ").append(flag.defaultValue()).append(')');
            }
            text.append('\n');
        }
        text.append(String.format("%-26s %s%n", "  --help", "print this help"));
        return text.toString();
    }
}
