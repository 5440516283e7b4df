package dev.descent.examples;

import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.data.Dataset;
import dev.descent.data.Mnist;
import dev.descent.data.Subset;
import dev.descent.data.Transform;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code descent study NAME}: the experiments of the optimization curriculum, each a set of MNIST
 * trainings that differ in one thing, written as {@code report.html} (charts, a reading of each,
 * the exact command and seed), {@code results.json} and a table on standard output. Every study
 * takes {@code --limit}, {@code --epochs}, {@code --seed}, {@code --threads}, {@code --device} and
 * {@code --out}.
 */
final class StudyCommand {
    /** The studies by name, with one line each. */
    static final Map<String, String> STUDIES = new LinkedHashMap<>();

    static {
        STUDIES.put("batch-size", "linear scaling with warm-up at large batches, and growing the batch in place of decaying the rate");
        STUDIES.put("normalization", "batch norm against none at three learning rates; dropout, weight decay and augmentation");
        STUDIES.put("adaptive", "Adam against AMSGrad on Reddi et al.'s online problem; SGD with momentum against Adam on MNIST");
        STUDIES.put("first-vs-second-order", "L-BFGS and Newton-CG on the full batch against their minibatch forms, beside Adam");
        STUDIES.put("landscape", "the loss from initial to final weights, on a filter-normalized plane, and the Hessian's top eigenvalues");
        STUDIES.put("gradient-flow", "vanishing gradients in a deep sigmoid network against ReLU with He init and with batch norm; clipping");
    }

    /** What every study has: its flags' values, the data, and where it writes. */
    record Context(String name, List<String> args, int limit, int epochs, long seed, Device device, Dataset train, Dataset test,
                   RunDirectory out) {
        /** The command that repeats the study, for the report. */
        String command() {
            return "./descent study " + name + (args.isEmpty() ? "" : " " + String.join(" ", args));
        }
    }

    private StudyCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            StringBuilder usage = new StringBuilder("usage: descent study NAME [flags]     (descent study NAME --help lists the flags)\n\nstudies:\n");
            STUDIES.forEach((name, line) -> usage.append(String.format("  %-12s %s%n", name, line)));
            (args.isEmpty() ? err : out).print(usage);
            return args.isEmpty() ? 2 : 0;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.get(0)) {
            case "batch-size" -> BatchSizeStudy.run(rest, out, err);
            case "normalization" -> NormalizationStudy.run(rest, out, err);
            case "gradient-flow" -> GradientFlowStudy.run(rest, out, err);
            case "landscape" -> LossLandscapeStudy.run(rest, out, err);
            case "adaptive" -> AdaptiveStudy.run(rest, out, err);
            case "first-vs-second-order" -> SecondOrderNoiseStudy.run(rest, out, err);
            default -> throw new UsageException("study: unknown study '" + args.get(0) + "' (studies: " + String.join(", ", STUDIES.keySet())
                    + ")");
        };
    }

    /** The flags every study takes, with its own default epoch count. */
    static CommandLine flags(String name, int defaultEpochs) {
        return new CommandLine("study " + name, STUDIES.get(name) + ".")
                .flag("epochs", Integer.toString(defaultEpochs), "epochs of every training run")
                .flag("limit", "60000", "train on the first N training images")
                .flag("seed", "0", "seed of the weights, the data order and dropout (the same for every run)")
                .flag("threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "CPU threads")
                .flag("device", "cpu", DeviceFlag.HELP)
                .flag("out", "runs/study-" + name + "-<timestamp>", "directory for report.html and results.json (the default is a new"
                        + " one of its own)");
    }

    /** The value of {@code --batch}, refused when larger than the training set the flags leave. */
    static int batch(String name, CommandLine line) {
        int batch = line.integer("batch", 1);
        int images = Math.min(line.integer("limit", 1), 60_000);
        if (batch > images) {
            throw new UsageException("study " + name + ": --batch " + batch + " is larger than the training set (" + images + " images)");
        }
        return batch;
    }

    /** The value of {@code --flag}, refused unless a positive finite number. */
    static double positive(String name, CommandLine line, String flag) {
        double value = line.real(flag);
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new UsageException("study " + name + ": --" + flag + " must be a positive number, got " + line.string(flag));
        }
        return value;
    }

    /** The shared flags' values, checked; then the data, read (only after every check, so bad usage reads nothing). */
    static Context context(String name, List<String> args, CommandLine line, PrintStream err) {
        int epochs = line.integer("epochs", 1);
        int limit = line.integer("limit", 1);
        long seed = (long) line.real("seed");
        int threads = line.threads(err);
        Device device = DeviceFlag.parse("study " + name, line.string("device"));
        RunDirectory out = RunDirectory.of("study " + name, line.string("out"), line.isSet("out"), "study-" + name);
        Descent.setNumThreads(threads);
        Transform prepare = MnistPreprocessing.prepare(false);
        Dataset all = DeviceFlag.stage(Mnist.train().toTensorDataset(prepare), device);
        Dataset train = limit < all.size() ? new Subset(all, IntStream.range(0, limit).toArray()) : all;
        Dataset test = DeviceFlag.stage(Mnist.test().toTensorDataset(prepare), device);
        return new Context(name, List.copyOf(args), limit, epochs, seed, device, train, test, out);
    }

    /** Writes the report (a page of {@code body}) and the results, and says where. */
    static Path write(Context context, String title, String body, Map<String, Object> results, PrintStream out) throws IOException {
        Path directory = context.out().create();
        String page = body + "<h2>Command</h2><p class=\"command\">" + Svg.escape(context.command()) + "</p><p>Seed " + context.seed()
                + " for the weights, the data order and dropout, the same in every run; " + context.train().size() + " training images, "
                + context.test().size() + " test images.</p>";
        AtomicFiles.write(directory.resolve("report.html"), HtmlPage.of(title, page));
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("study", context.name());
        all.put("command", context.command());
        all.put("seed", context.seed());
        all.put("epochs", context.epochs());
        all.put("trainingImages", context.train().size());
        all.putAll(results);
        RunFiles.writeJson(directory.resolve("results.json"), all);
        out.println("wrote report.html and results.json to " + directory);
        return directory;
    }

    /** A chart of each curve's test accuracy against epochs or against parameter updates. */
    static String accuracyChart(String title, List<StudyTraining.Curve> curves, boolean againstUpdates) {
        List<Svg.Series> series = curves.stream().map(curve -> {
            double[] x = againstUpdates ? curve.updates().stream().mapToDouble(Long::doubleValue).toArray()
                    : IntStream.rangeClosed(1, curve.testAccuracy().size()).asDoubleStream().toArray();
            return new Svg.Series(curve.configuration().label(), x, curve.testAccuracy().stream().mapToDouble(Double::doubleValue).toArray());
        }).toList();
        return Svg.lineChart(title, againstUpdates ? "parameter updates" : "epoch", "test accuracy", series, false);
    }

    /** A chart of each curve's mean training loss per epoch (log scale). */
    static String lossChart(String title, List<StudyTraining.Curve> curves) {
        List<Svg.Series> series = curves.stream().map(curve -> new Svg.Series(curve.configuration().label(),
                IntStream.rangeClosed(1, curve.trainLoss().size()).asDoubleStream().toArray(),
                curve.trainLoss().stream().mapToDouble(Double::doubleValue).toArray())).toList();
        return Svg.lineChart(title, "epoch", "cross-entropy", series, true);
    }

    /** The table of curves: configuration, final accuracy, updates, seconds; printed and as HTML. */
    static String table(List<StudyTraining.Curve> curves, PrintStream out) {
        int width = Math.max(13, curves.stream().mapToInt(c -> c.configuration().label().length()).max().orElse(0));
        int batchWidth = Math.max(7, curves.stream().mapToInt(c -> batchText(c.configuration()).length()).max().orElse(0));
        String row = "%-" + width + "s %" + batchWidth + "s ";
        out.printf(row + "%10s %8s %14s %9s %9s%n", "run", "batch", "lr factor", "warm-up", "test accuracy", "updates", "seconds");
        StringBuilder html = new StringBuilder("<table><tr><th>run</th><th>batch</th><th>lr factor</th><th>warm-up epochs</th>"
                + "<th>final test accuracy</th><th>updates</th><th>seconds</th></tr>");
        for (StudyTraining.Curve curve : curves) {
            StudyTraining.Configuration c = curve.configuration();
            String batch = batchText(c);
            String accuracy = curve.stopped() != null ? "diverged" : String.format(java.util.Locale.ROOT, "%.2f%%", 100 * curve.finalAccuracy());
            out.printf(row + "%10.3g %8d %14s %9d %9.1f%n", c.label(), batch, c.lrFactor(), c.warmupEpochs(), accuracy,
                    curve.totalUpdates(), curve.seconds());
            html.append(String.format(java.util.Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.3g</td><td>%d</td><td>%s</td><td>%d</td><td>%.1f</td></tr>",
                    Svg.escape(c.label()), Svg.escape(batch), c.lrFactor(), c.warmupEpochs(), curve.stopped() != null
                            ? "diverged: " + Svg.escape(curve.stopped()) : accuracy, curve.totalUpdates(), curve.seconds()));
        }
        return html.append("</table>").toString();
    }

    /** The batch of a configuration for a table: "128", or "128 x5@e5,7" when it grows by 5 from epochs 5 and 7. */
    private static String batchText(StudyTraining.Configuration c) {
        return c.batch() + (c.batchSchedule() == null ? "" : " x" + c.batchSchedule().toString().replace("@", "@e"));
    }
}
