package dev.descent.examples;

import dev.descent.core.Device;
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

/** {@code descent evaluate --weights FILE}: the test accuracy and confusion matrix of saved MLP-BN weights. */
final class EvaluateCommand {
    private EvaluateCommand() {
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        CommandLine line = new CommandLine("evaluate", "Test accuracy and confusion matrix of MLP-BN weights saved by descent mnist.")
                .flag("weights", null, "the weights.safetensors of a run (required)")
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
        Sequential model = MlpBn.create(0);
        model.load(weights);
        model.to(device);
        Mnist testSet = fashion ? FashionMnist.test() : Mnist.test();
        Dataset test = DeviceFlag.stage(testSet.toTensorDataset(MnistPreprocessing.prepare(fashion)), device);
        DataLoader loader = new DataLoader(test, 1000).prefetch(device.equals(Device.CPU));
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
}
