package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code descent mnist --resume DIR}: the run continues from DIR's newest checkpoint with the
 * configuration saved there, and writes into DIR. The flags that decide what training computes
 * ({@link #TRAINING_FLAGS}) may be given again only with the saved value; {@code --epochs} may be
 * raised to train further; the rest (threads, device, CUDA graph, JSON summary) may change. With
 * the saved epochs and thread count the resumed run ends with the weights an uninterrupted run
 * would have, bit for bit.
 */
final class MnistResume {
    /** What training computes depends on these: a resumed run keeps the checkpoint's values. */
    static final List<String> TRAINING_FLAGS = List.of("optimizer", "lr", "batch", "seed", "schedule", "augment", "limit", "dataset", "model", "width", "depth",
            "no-batchnorm", "dropout", "scale-lr", "warmup-epochs", "clip-grad-norm", "batch-schedule", "activation", "init", "workers");
    private static final List<String> NUMERIC_FLAGS = List.of("batch", "seed", "limit");

    private MnistResume() {
    }

    /**
     * Reads DIR's newest checkpoint, refuses flags that contradict it, and makes its flags the
     * defaults of {@code line} (with {@code --out} DIR); returns the checkpoint.
     */
    static MnistCheckpoint.Saved apply(CommandLine line) {
        Path directory = Path.of(line.string("resume"));
        if (line.isSet("config")) {
            throw new UsageException("mnist: --resume and --config cannot be combined: a resumed run takes its configuration from its"
                    + " checkpoint");
        }
        if (line.isSet("out") && !Path.of(line.string("out")).toAbsolutePath().normalize().equals(directory.toAbsolutePath().normalize())) {
            throw new UsageException("mnist: --resume writes into the run's own directory " + directory + "; leave out --out "
                    + line.string("out"));
        }
        MnistCheckpoint.Saved saved;
        try {
            saved = MnistCheckpoint.latest(directory);
        } catch (IOException e) {
            throw new UsageException("mnist: --resume " + directory + ": cannot read its checkpoint: " + e.getMessage());
        }
        if (saved == null) {
            throw new UsageException("mnist: --resume " + directory + ": no checkpoint there (a run writes checkpoint-epoch-N into its --out"
                    + " directory at the end of every epoch)");
        }
        Map<String, String> config = saved.config();
        for (String flag : TRAINING_FLAGS) {
            if (!flag.equals("optimizer") && !flag.equals("lr") && line.isSet(flag) && !sameValue(flag, line.string(flag), config.get(flag))) {
                throw contradiction("--" + flag + " " + line.string(flag), "--" + flag, config.get(flag));
            }
        }
        checkOptimizer(line, config);
        checkEpochs(line, saved);
        Map<String, String> defaults = new LinkedHashMap<>(config);
        defaults.remove("json");
        defaults.remove("config");
        defaults.put("out", directory.toString());
        line.defaults(defaults);
        return saved;
    }

    private static UsageException contradiction(String given, String flag, String saved) {
        return new UsageException("mnist: --resume: " + given + " differs from the checkpoint's " + (saved == null ? "(unset)" : saved)
                + "; a resumed run keeps the settings it was trained with (leave " + flag + " out, or start a new run)");
    }

    private static boolean sameValue(String flag, String given, String saved) {
        if (saved == null) {
            return false;
        }
        if (NUMERIC_FLAGS.contains(flag)) {
            try {
                return Double.parseDouble(given) == Double.parseDouble(saved);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return given.equals(saved);
    }

    /** --optimizer and --lr are compared by the hyperparameters they give, so that "adam:lr=1e-3" equals "adam" with --lr 0.001. */
    private static void checkOptimizer(CommandLine line, Map<String, String> config) {
        if (!line.isSet("optimizer") && !line.isSet("lr")) {
            return;
        }
        String optimizer = line.isSet("optimizer") ? line.string("optimizer") : config.get("optimizer");
        String lr = line.isSet("lr") ? line.string("lr") : config.get("lr");
        if (!hyperparameters(optimizer, lr).equals(hyperparameters(config.get("optimizer"), config.get("lr")))) {
            String flags = line.isSet("optimizer") && line.isSet("lr") ? "--optimizer and --lr" : line.isSet("optimizer") ? "--optimizer" : "--lr";
            String given = (line.isSet("optimizer") ? " --optimizer " + line.string("optimizer") : "") + (line.isSet("lr") ? " --lr " + lr : "");
            throw new UsageException("mnist: --resume:" + given + " differs from the checkpoint's --optimizer " + config.get("optimizer")
                    + (config.get("lr") != null ? " --lr " + config.get("lr") : "") + "; a resumed run keeps the settings it was trained with"
                    + " (leave " + flags + " out, or start a new run)");
        }
    }

    /** The optimizer's name and its group's hyperparameters, pairs as lists so that they compare by value. */
    private static Map<String, Object> hyperparameters(String spec, String lr) {
        Optimizer optimizer;
        try {
            optimizer = Optimizers.create(MnistSettings.withCommandDefaults(spec), List.of(Tensor.zeros(1).requiresGrad(true)),
                    lr == null ? Double.NaN : Double.parseDouble(lr));
        } catch (IllegalArgumentException e) {
            throw new UsageException("mnist: --optimizer: " + e.getMessage());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("name", optimizer.name());
        ParamGroup group = optimizer.paramGroups().get(0);
        for (String name : group.names()) {
            Object value = group.get(name);
            values.put(name, value instanceof double[] pair ? List.of(pair[0], pair[1]) : value);
        }
        return values;
    }

    private static void checkEpochs(CommandLine line, MnistCheckpoint.Saved saved) {
        if (line.isSet("epochs")) {
            int epochs = line.integer("epochs", 1);
            if (epochs <= saved.epoch()) {
                throw new UsageException("mnist: --resume: --epochs " + epochs + " leaves nothing to train: the checkpoint has trained "
                        + saved.epoch() + " epoch(s); give more to train further");
            }
        } else if (Integer.parseInt(saved.config().get("epochs")) <= saved.epoch()) {
            throw new UsageException("mnist: --resume " + saved.directory().getParent() + ": the run has trained all its " + saved.epoch()
                    + " epoch(s); pass --epochs N with N above " + saved.epoch() + " to train further");
        }
    }

    /**
     * Restores {@code state} from the checkpoint. When the run now has another number of epochs
     * than planned, the cosine schedule (annealed to 0 over the run) is re-planned over the new
     * number: from the checkpoint's step on, the rate follows the curve a run of that length would
     * have, rather than rising again past the old end as the cosine's recursive form would.
     */
    static void restore(MnistCheckpoint.Saved saved, TrainingState state, int epochs, PrintStream out) throws IOException {
        out.printf("resuming %s after epoch %d (%s)%n", saved.directory().getParent(), saved.epoch(), saved.directory().getFileName());
        Map<String, Object> schedule = saved.scheduler();
        int steps = epochs * state.loader().batchesPerEpoch();
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = schedule == null ? null : (Map<String, Object>) schedule.get("settings");
        boolean replan = settings != null && ((Number) settings.get("tMax")).intValue() != steps;
        if (replan) {
            Map<String, Object> replanned = new LinkedHashMap<>(settings);
            replanned.put("tMax", steps);
            schedule = new LinkedHashMap<>(schedule);
            schedule.put("settings", replanned);
        }
        saved.withScheduler(schedule).restore(state);
        if (replan) {
            int step = ((Number) schedule.get("lastEpoch")).intValue();
            for (ParamGroup group : state.optimizer().paramGroups()) {
                group.setLr(group.initialLr() * (1 + Math.cos(Math.PI * step / steps)) / 2);
            }
            out.printf("the cosine schedule is re-planned over %d epochs: step %d continues at lr %.4g%n", epochs, step,
                    state.optimizer().paramGroups().get(0).lr());
        }
    }
}
