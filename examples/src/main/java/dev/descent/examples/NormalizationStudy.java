package dev.descent.examples;

import dev.descent.core.Generator;
import dev.descent.data.Compose;
import dev.descent.data.Dataset;
import dev.descent.data.Mnist;
import dev.descent.data.RandomAffine;
import dev.descent.data.Subset;
import dev.descent.data.ToTensor;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code descent study normalization}: ablations of MLP-BN's normalization and regularization,
 * each run changing one thing from the same start.
 * <ol>
 *   <li>Batch norm against none at three learning rates of SGD with momentum: normalizing each
 *       layer's input makes the loss less sensitive to the scale of the weights, so the largest
 *       rate trains with it and fails or crawls without (Ioffe and Szegedy 2015).</li>
 *   <li>Dropout p = 0, 0.2, 0.5; weight decay on and off; augmentation (random rotations, shifts and
 *       scaling) on and off: the regularizers trade training loss for the gap between training and
 *       test.</li>
 * </ol>
 */
final class NormalizationStudy {
    static final int DEFAULT_EPOCHS = 5;
    static final double[] RATES = {0.01, 0.1, 1.0};

    private NormalizationStudy() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = StudyCommand.flags("normalization", DEFAULT_EPOCHS)
                .flag("batch", "128", "samples per step")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        int batch = StudyCommand.batch("normalization", line);
        StudyCommand.Context context = StudyCommand.context("normalization", args, line, err);

        List<StudyTraining.Curve> normalization = new ArrayList<>();
        for (double rate : RATES) {
            String sgd = String.format(Locale.ROOT, "sgd:lr=%s,momentum=0.9", rate);
            normalization.add(train(context, context.train(), new StudyTraining.Configuration("batch norm, lr " + rate,
                    MnistModels.mlp(null, null, true, 0.2), sgd, batch, null, "cosine", 1, 0), out));
            normalization.add(train(context, context.train(), new StudyTraining.Configuration("no batch norm, lr " + rate,
                    MnistModels.mlp(null, null, false, 0.2), sgd, batch, null, "cosine", 1, 0), out));
        }

        List<StudyTraining.Curve> regularization = new ArrayList<>();
        for (double p : new double[] {0, 0.2, 0.5}) {
            regularization.add(train(context, context.train(), new StudyTraining.Configuration("dropout " + p,
                    MnistModels.mlp(null, null, true, p), "adam", batch, null, "cosine", 1, 0), out));
        }
        regularization.add(train(context, context.train(), new StudyTraining.Configuration("weight decay 0.05 (AdamW)",
                MnistModels.named("mlp-bn"), "adamw:weightDecay=0.05", batch, null, "cosine", 1, 0), out));
        regularization.add(train(context, context.train(), new StudyTraining.Configuration("no weight decay (AdamW)",
                MnistModels.named("mlp-bn"), "adamw:weightDecay=0", batch, null, "cosine", 1, 0), out));
        regularization.add(train(context, augmented(context), new StudyTraining.Configuration("augmented",
                MnistModels.named("mlp-bn"), "adam", batch, null, "cosine", 1, 0), out));

        StringBuilder body = new StringBuilder();
        body.append("<h2>Batch norm and the learning rate</h2><div class=\"row\">")
                .append(StudyCommand.accuracyChart("Test accuracy against epochs", normalization, false))
                .append(StudyCommand.lossChart("Training loss against epochs", normalization)).append("</div>")
                .append("<p class=\"reading\">").append(Svg.escape(readNormalization(normalization))).append("</p>");
        out.println("batch norm against the learning rate:");
        body.append(StudyCommand.table(normalization, out));
        body.append("<h2>Regularization: dropout, weight decay, augmentation</h2><div class=\"row\">")
                .append(StudyCommand.accuracyChart("Test accuracy against epochs", regularization, false))
                .append(StudyCommand.lossChart("Training loss against epochs", regularization)).append("</div>")
                .append("<p class=\"reading\">").append(Svg.escape(readRegularization(regularization))).append("</p>");
        out.println("regularization:");
        body.append(StudyCommand.table(regularization, out));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("batchNorm", normalization.stream().map(StudyTraining.Curve::toMap).toList());
        results.put("regularization", regularization.stream().map(StudyTraining.Curve::toMap).toList());
        StudyCommand.write(context, "Normalization and regularization ablations on MLP-BN", body.toString(), results, out);
        return 0;
    }

    /** The training images with random rotations (up to 10 degrees), shifts (2 pixels) and scaling (0.9 to 1.1), as descent mnist --augment. */
    private static Dataset augmented(StudyCommand.Context context) {
        Generator generator = new Generator(context.seed() + 2);
        Dataset all = Mnist.train().map(new Compose(new ToTensor(), new RandomAffine(10, 2, 0.9, 1.1, generator),
                MnistPreprocessing.normalize(false)));
        return context.train().size() < all.size() ? new Subset(all, IntStream.range(0, context.train().size()).toArray()) : all;
    }

    private static StudyTraining.Curve train(StudyCommand.Context context, Dataset train, StudyTraining.Configuration configuration,
                                             PrintStream out) {
        StudyTraining.Curve curve = StudyTraining.run(configuration, train, context.test(), context.epochs(), context.seed(), context.device());
        out.printf(Locale.ROOT, "  %-28s %s%n", configuration.label(), curve.stopped() != null ? "diverged" : String.format(Locale.ROOT,
                "%.2f%% (train loss %.4f), %.1f s", 100 * curve.finalAccuracy(), curve.trainLoss().get(curve.trainLoss().size() - 1),
                curve.seconds()));
        return curve;
    }

    static String readNormalization(List<StudyTraining.Curve> curves) {
        StringBuilder text = new StringBuilder("Each pair trains the same MLP with and without batch norm after its hidden layers, from the"
                + " same weights and data order, at one learning rate of SGD with momentum 0.9. ");
        for (int i = 0; i + 1 < curves.size(); i += 2) {
            text.append(String.format(Locale.ROOT, "At lr %s: %s with batch norm, %s without. ", RATES[i / 2], percent(curves.get(i)),
                    percent(curves.get(i + 1))));
        }
        return text.append("Batch norm divides each layer's input by its spread, so a step that grows the weights does not grow what the"
                + " next layer sees; the rate can then be large without the loss blowing up, while the network without it needs the rate"
                + " kept small.").toString();
    }

    static String readRegularization(List<StudyTraining.Curve> curves) {
        StringBuilder text = new StringBuilder();
        for (StudyTraining.Curve curve : curves) {
            text.append(String.format(Locale.ROOT, "%s: %s (final training loss %.4f). ", curve.configuration().label(), percent(curve),
                    curve.trainLoss().isEmpty() ? Double.NaN : curve.trainLoss().get(curve.trainLoss().size() - 1)));
        }
        return text.append("A regularizer raises the training loss (the model fits the training images less closely) and, when it works,"
                + " narrows the gap to the test loss; over a few epochs on MNIST the differences in test accuracy are small, and the"
                + " training loss shows the effect more plainly.").toString();
    }

    private static String percent(StudyTraining.Curve curve) {
        return curve.stopped() != null ? "diverged" : String.format(Locale.ROOT, "%.2f%%", 100 * curve.finalAccuracy());
    }
}
