package dev.descent.examples;

import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.FashionMnist;
import dev.descent.data.Mnist;
import dev.descent.nn.Sequential;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code descent evaluate --weights FILE}: the test accuracy and confusion matrix of saved MLP-BN weights. */
final class EvaluateCommand {
    private EvaluateCommand() {
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        CommandLine line = new CommandLine("evaluate", "Test accuracy and confusion matrix of weights saved by descent mnist.")
                .flag("weights", null, "the weights.safetensors of a run (required)")
                .flag("model", null, "the model the weights belong to: " + String.join(", ", MnistModels.NAMES) + " (default: the one the"
                        + " run's config.json beside the weights describes, with its --width, --depth, --no-batchnorm and --dropout, else "
                        + MnistModels.DEFAULT + ")")
                .flag("dataset", "mnist", "mnist or fashion-mnist")
                .flag("device", "cpu", DeviceFlag.HELP)
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        if (line.string("weights") == null) {
            throw new UsageException("evaluate: --weights FILE is required");
        }
        Path weights = Path.of(line.string("weights"));
        if (!Files.isRegularFile(weights)) {
            throw new UsageException("evaluate: --weights " + weights + " is not a file");
        }
        boolean fashion = line.choice("dataset", "mnist", "fashion-mnist").equals("fashion-mnist");
        Device device = DeviceFlag.parse("evaluate", line.string("device"));
        MnistModels.Spec spec = line.string("model") != null ? MnistModels.named(line.choice("model", MnistModels.NAMES.toArray(new String[0])))
                : modelOfRun(weights);
        Sequential model = spec.create(new Generator(0), new Generator(1));
        model.load(weights);
        checkFinite(weights, model);
        model.to(device);
        Mnist testSet = fashion ? FashionMnist.test() : Mnist.test();
        Dataset test = DeviceFlag.stage(testSet.toTensorDataset(MnistPreprocessing.prepare(fashion)), device);
        DataLoader loader = new DataLoader(test, spec.evaluationBatch()).prefetch(device.equals(Device.CPU));
        Trainer.Evaluation evaluation = new Trainer(model, null, null, device).evaluate(loader, 10);
        out.printf("test accuracy %.2f%%  test loss %.4f  (%d images)%n", 100 * evaluation.accuracy(), evaluation.meanLoss(), test.size());
        out.println("confusion matrix (rows: true label, columns: predicted):");
        out.print("      ");
        for (int j = 0; j < 10; j++) {
            out.printf("%6d", j);
        }
        out.println();
        for (int i = 0; i < 10; i++) {
            out.printf("%6d", i);
            for (int j = 0; j < 10; j++) {
                out.printf("%6d", evaluation.confusion()[i][j]);
            }
            out.println();
        }
        return 0;
    }

    /** The model a run's config.json beside {@code weights} describes; the default model when there is none or it cannot be read. */
    private static MnistModels.Spec modelOfRun(Path weights) {
        Path config = weights.toAbsolutePath().resolveSibling("config.json");
        if (Files.isRegularFile(config)) {
            try {
                return MnistModels.fromConfig(ConfigFile.read("evaluate", config));
            } catch (RuntimeException e) {
                // a config that says nothing usable about the model: the weights' own check reports a mismatch
            }
        }
        return MnistModels.named(MnistModels.DEFAULT);
    }

    /**
     * Weights holding NaN or infinity come from a run that diverged: their "accuracy" would be that
     * of a constant guess, so they are refused (exit 1) naming the file and the first such tensor.
     */
    static void checkFinite(Path weights, Sequential model) {
        for (Map.Entry<String, NDArray> entry : model.stateDict().entrySet()) {
            if (!entry.getValue().dtype().isFloatingPoint()) {
                continue;
            }
            double[] values = entry.getValue().toDoubleArray();
            int bad = 0;
            double example = 0;
            for (double value : values) {
                if (!Double.isFinite(value)) {
                    example = bad++ == 0 ? value : example;
                }
            }
            if (bad > 0) {
                throw new IllegalArgumentException("evaluate: " + weights + " holds " + bad + " non-finite value(s) (" + example + ") in '"
                        + entry.getKey() + "' (of " + values.length + "): the run that wrote them diverged; train again with a lower learning"
                        + " rate");
            }
        }
    }
}
