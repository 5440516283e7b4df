package dev.descent.examples;

import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.Mnist;
import dev.descent.data.Subset;
import dev.descent.data.Transform;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code descent compare-optimizers}: the classic figure of the optimization lectures. The same
 * MLP-BN, from the same initial weights and in the same data order, trained by each optimizer;
 * one chart of training loss against iterations and a table of final accuracy and time.
 */
final class CompareOptimizersCommand {
    /** The classic figure's contenders with their learning rates (the usual well-working values for this model), as LABEL=SPEC. */
    static final String CLASSIC = "SGD=sgd:lr=0.1;Momentum=sgd:lr=0.05,momentum=0.9;Nesterov=sgd:lr=0.05,momentum=0.9,nesterov=true;"
            + "AdaGrad=adagrad:lr=0.01;RMSProp=rmsprop:lr=0.001;Adadelta=adadelta:lr=1.0;Adam=adam:lr=0.001";

    private CompareOptimizersCommand() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err, boolean terminal) throws IOException {
        CommandLine line = new CommandLine("compare-optimizers", "Trains a model (MLP-BN by default) on MNIST once per optimizer and"
                + " charts training loss against iterations.")
                .flag("optimizers", "classic", "classic (" + CLASSIC + "), all (every name: "
                        + String.join(", ", Optimizers.names()) + ", with descent mnist's defaults for sgd and lbfgs), or"
                        + " specifications separated by ';'")
                .flag("model", MnistModels.DEFAULT, "the model every optimizer trains: " + String.join(", ", MnistModels.NAMES)
                        + " (as descent mnist --model); bfgs and newton need pooled-linear or linear, whose parameters a dense matrix can hold")
                .flag("epochs", "1", "epochs per optimizer")
                .flag("batch", "128", "samples per step")
                .flag("limit", "60000", "use the first N training images")
                .flag("seed", "0", "seed of the weights and the data order (the same for every optimizer)")
                .flag("threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "CPU threads")
                .flag("device", "cpu", DeviceFlag.HELP)
                .flag("out", "runs/compare-<timestamp>", "directory for compare.html and results.json (the default is a new one"
                        + " of its own; a directory another run owns or holds results in is refused)")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        Map<String, String> contenders = contenders(line.string("optimizers"));
        String modelName = line.choice("model", MnistModels.NAMES.toArray(new String[0]));
        int epochs = line.integer("epochs", 1);
        int batch = line.integer("batch", 1);
        int limit = line.integer("limit", 1);
        MnistSettings.checkBatch("compare-optimizers", batch, limit);
        long seed = (long) line.real("seed");
        int threads = line.threads(err);
        Device device = DeviceFlag.parse("compare-optimizers", line.string("device"));
        RunDirectory runDirectory = RunDirectory.of("compare-optimizers", line.string("out"), line.isSet("out"), "compare");
        Descent.setNumThreads(threads);
        Transform prepare = MnistPreprocessing.prepare(false);
        Dataset all = DeviceFlag.stage(Mnist.train().toTensorDataset(prepare), device);
        Subset train = new Subset(all, IntStream.range(0, Math.min(limit, all.size())).toArray());
        Dataset test = DeviceFlag.stage(Mnist.test().toTensorDataset(prepare), device);
        boolean onGpu = !device.equals(Device.CPU);
        List<Svg.Series> curves = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        StringBuilder table = new StringBuilder("<table><tr><th>optimizer</th><th>specification</th><th>final train loss</th>"
                + "<th>test accuracy</th><th>seconds</th></tr>");
        // columns as wide as the longest label and specification, so that every row lines up
        int labelWidth = Math.max("optimizer".length(), contenders.keySet().stream().mapToInt(String::length).max().orElse(0));
        int specWidth = Math.max("specification".length(), contenders.values().stream().mapToInt(String::length).max().orElse(0));
        String row = "%-" + labelWidth + "s %-" + specWidth + "s ";
        out.printf(row + "%12s %14s %9s%n", "optimizer", "specification", "train loss", "test accuracy", "seconds");
        for (Map.Entry<String, String> contender : contenders.entrySet()) {
            Generator dropout = new Generator(seed + 1);
            Sequential model = MnistModels.create(modelName, new Generator(seed), dropout);
            model.to(device);   // before the optimizer, whose state is made beside the parameters
            DataLoader loader = new DataLoader(train, batch).shuffle(new Generator(seed + 3)).prefetch(!onGpu);
            double seconds = 0;
            Trainer.EpochResult last = null;
            Trainer trainer = null;
            try {
                trainer = new Trainer(model, Optimizers.create(contender.getValue(), model.parameters()), null, device)
                        .sameStartForEveryEvaluation(dropout);
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    Progress progress = new Progress(out, terminal, contender.getKey() + " epoch " + epoch + "/" + epochs);
                    last = trainer.trainEpoch(loader, terminal ? progress::update : null);
                    seconds += last.seconds();
                }
            } catch (IllegalArgumentException | ArithmeticException e) {
                // one optimizer that cannot run this model (a dense matrix) or diverges does not end the comparison
                out.printf(row + "%s%n", contender.getKey(), contender.getValue(), "did not train: " + e.getMessage());
                table.append(String.format("<tr><td>%s</td><td>%s</td><td colspan=\"3\">did not train: %s</td></tr>", contender.getKey(),
                        contender.getValue(), Svg.escape(e.getMessage())));
                results.put(contender.getKey(), Map.of("specification", contender.getValue(), "error", e.getMessage()));
                if (trainer != null) {
                    trainer.close();
                }
                continue;
            }
            Trainer.Evaluation evaluation = trainer.evaluate(new DataLoader(test, MnistModels.named(modelName).evaluationBatch()).prefetch(!onGpu), 10);
            double[] steps = IntStream.rangeClosed(1, trainer.stepLoss.size()).asDoubleStream().toArray();
            curves.add(new Svg.Series(contender.getKey(), steps, smooth(Report.array(trainer.stepLoss), 20)));
            out.printf(row + "%12.4f %13.2f%% %9.1f%n", contender.getKey(), contender.getValue(), last.meanLoss(),
                    100 * evaluation.accuracy(), seconds);
            table.append(String.format(java.util.Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.4f</td><td>%.2f%%</td><td>%.1f</td></tr>",
                    contender.getKey(), contender.getValue(), last.meanLoss(), 100 * evaluation.accuracy(), seconds));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("specification", contender.getValue());
            entry.put("trainLoss", last.meanLoss());
            entry.put("testAccuracy", evaluation.accuracy());
            entry.put("seconds", seconds);
            entry.put("stepLoss", trainer.stepLoss);
            results.put(contender.getKey(), entry);
            trainer.close();
        }
        String html = HtmlPage.of("Optimizers on MNIST (" + MnistModels.describe(modelName) + ", same initial weights and data order)",
                "<div class=\"row\">" + Svg.lineChart("Training loss (moving average of 20 steps)", "iteration", "cross-entropy", curves, true)
                        + "</div>" + table + "</table>");
        Path dir = runDirectory.create();   // only now, with the results to write
        AtomicFiles.write(dir.resolve("compare.html"), html);
        RunFiles.writeJson(dir.resolve("results.json"), results);
        out.println("wrote compare.html and results.json to " + dir);
        return 0;
    }

    /** Label -> specification: the classic set, every registered name, or the user's specifications (each checked now). */
    static Map<String, String> contenders(String choice) {
        if (choice.equals("classic")) {
            return OptimizerList.parse("compare-optimizers", "optimizers", CLASSIC);
        }
        if (choice.equals("all")) {
            Map<String, String> chosen = new LinkedHashMap<>();
            for (String name : Optimizers.names()) {
                chosen.put(name, MnistSettings.withCommandDefaults(name));
            }
            return chosen;
        }
        return OptimizerList.parse("compare-optimizers", "optimizers", choice);
    }

    /** A trailing moving average, so the curves of noisy minibatch losses can be told apart. */
    static double[] smooth(double[] values, int window) {
        double[] result = new double[values.length];
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            sum += values[i];
            if (i >= window) {
                sum -= values[i - window];
            }
            result[i] = sum / Math.min(i + 1, window);
        }
        return result;
    }
}
