package dev.descent.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code descent study gradient-flow}: how the gradient's size changes through the depth of a
 * network, measured at every step as each Linear layer's weight-gradient norm.
 * <ol>
 *   <li>A deep plain network of sigmoids with the default initialization, against the same depth
 *       with ReLU and He's initialization, and with ReLU and batch norm: the sigmoid's derivative is
 *       at most 1/4, so backpropagation multiplies the gradient by a small factor per layer and the
 *       first layers barely learn (vanishing gradients); He's scale and batch norm keep the
 *       gradient at one size from the last layer to the first.</li>
 *   <li>Gradient clipping on an exploding setup: the ReLU network at a learning rate where its
 *       updates blow up, without and with clipping of the gradient's global norm.</li>
 * </ol>
 */
final class GradientFlowStudy {
    static final int DEFAULT_EPOCHS = 1;

    private GradientFlowStudy() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = StudyCommand.flags("gradient-flow", DEFAULT_EPOCHS)
                .flag("depth", "20", "hidden layers of every network")
                .flag("width", "128", "width of every hidden layer")
                .flag("lr", "0.01", "SGD's rate (momentum 0.9) for the three networks")
                .flag("exploding-lr", "0.2", "the rate at which the ReLU network's updates explode, run without and with clipping")
                .flag("clip-grad-norm", "1", "the global gradient norm the clipped run keeps")
                .flag("batch", "128", "samples per step")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        int depth = line.integer("depth", 3);   // two hidden-to-hidden layers at least, the first and the last compared
        int width = line.integer("width", 1);
        double lr = StudyCommand.positive("gradient-flow", line, "lr");
        double explodingLr = StudyCommand.positive("gradient-flow", line, "exploding-lr");
        double clip = StudyCommand.positive("gradient-flow", line, "clip-grad-norm");
        int batch = StudyCommand.batch("gradient-flow", line);
        StudyCommand.Context context = StudyCommand.context("gradient-flow", args, line, err);
        String sgd = String.format(Locale.ROOT, "sgd:lr=%s,momentum=0.9", lr);
        MnistModels.Spec plain = MnistModels.mlp(width, depth, false, 0);
        List<StudyTraining.Curve> networks = new ArrayList<>();
        networks.add(train(context, new StudyTraining.Configuration("sigmoid, default init", plain.with("sigmoid", false), sgd, batch, null,
                "constant", 1, 0), out));
        networks.add(train(context, new StudyTraining.Configuration("ReLU, He init", plain.with("relu", true), sgd, batch, null, "constant", 1, 0),
                out));
        networks.add(train(context, new StudyTraining.Configuration("ReLU, batch norm", MnistModels.mlp(width, depth, true, 0), sgd, batch, null,
                "constant", 1, 0), out));
        String exploding = String.format(Locale.ROOT, "sgd:lr=%s,momentum=0.9", explodingLr);
        List<StudyTraining.Curve> clipping = new ArrayList<>();
        clipping.add(train(context, new StudyTraining.Configuration("not clipped", plain.with("relu", true), exploding, batch, null, "constant",
                1, 0), out));
        clipping.add(train(context, new StudyTraining.Configuration("clipped to norm " + clip, plain.with("relu", true), exploding, batch, null,
                "constant", 1, 0, clip), out));

        StringBuilder body = new StringBuilder("<h2>Vanishing gradients</h2><div class=\"row\">");
        body.append(firstAndLastChart(networks)).append(profileChart(networks)).append("</div>");
        body.append("<p class=\"reading\">").append(Svg.escape(readNetworks(networks, depth))).append("</p>");
        out.println("gradient flow:");
        out.printf("%-22s %14s %26s%n", "network", "test accuracy", "first / last layer RMS (median)");
        StringBuilder table = new StringBuilder("<table><tr><th>network</th><th>test accuracy</th><th>first / last layer gradient RMS,"
                + " median over the steps</th></tr>");
        for (StudyTraining.Curve curve : networks) {
            String accuracy = curve.stopped() != null ? "diverged" : String.format(Locale.ROOT, "%.2f%%", 100 * curve.finalAccuracy());
            out.printf(Locale.ROOT, "%-22s %14s %26.3g%n", curve.configuration().label(), accuracy, medianRatio(curve));
            table.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.3g</td></tr>", Svg.escape(curve.configuration().label()),
                    accuracy, medianRatio(curve)));
        }
        body.append(table).append("</table>");
        body.append("<h2>Gradient clipping on exploding updates</h2><div class=\"row\">").append(lossChart(clipping)).append("</div>")
                .append("<p class=\"reading\">").append(Svg.escape(readClipping(clipping, explodingLr, clip))).append("</p>");
        out.println("clipping:");
        body.append(StudyCommand.table(clipping, out));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("networks", networks.stream().map(GradientFlowStudy::withLayers).toList());
        results.put("clipping", clipping.stream().map(StudyTraining.Curve::toMap).toList());
        StudyCommand.write(context, "Gradient flow through " + depth + " hidden layers", body.toString(), results, out);
        return 0;
    }

    private static StudyTraining.Curve train(StudyCommand.Context context, StudyTraining.Configuration configuration, PrintStream out) {
        StudyTraining.Curve curve = StudyTraining.run(configuration, context.train(), context.test(), context.epochs(), context.seed(),
                context.device(), true, false);
        out.printf(Locale.ROOT, "  %-22s %s%n", configuration.label(), curve.stopped() != null ? "diverged: " + curve.stopped()
                : String.format(Locale.ROOT, "%.2f%%, %.1f s", 100 * curve.finalAccuracy(), curve.seconds()));
        return curve;
    }

    /**
     * The median over the recorded steps of the gradient RMS of the first hidden-to-hidden layer over
     * that of the last one: layers of one shape, so that the ratio measures depth alone (the input
     * layer sees raw pixels and the output layer ten classes, which change the scale of their
     * gradients for reasons of their own).
     */
    static double medianRatio(StudyTraining.Curve curve) {
        double[] ratios = curve.layerGradRms().stream().filter(rms -> rms[rms.length - 2] > 0)
                .mapToDouble(rms -> rms[1] / rms[rms.length - 2]).sorted().toArray();
        return ratios.length == 0 ? Double.NaN : ratios[ratios.length / 2];
    }

    private static String firstAndLastChart(List<StudyTraining.Curve> curves) {
        List<Svg.Series> series = new ArrayList<>();
        for (StudyTraining.Curve curve : curves) {
            double[] steps = IntStream.rangeClosed(1, curve.layerGradNorms().size()).asDoubleStream().toArray();
            series.add(new Svg.Series(curve.configuration().label() + ": first hidden layer", steps,
                    curve.layerGradRms().stream().mapToDouble(rms -> rms[1]).toArray()));
            series.add(new Svg.Series(curve.configuration().label() + ": last hidden layer", steps,
                    curve.layerGradRms().stream().mapToDouble(rms -> rms[rms.length - 2]).toArray()));
        }
        return Svg.lineChart("Gradient of the first and the last hidden-to-hidden layer, every step", "step", "RMS of the weight gradient",
                series, true);
    }

    private static String profileChart(List<StudyTraining.Curve> curves) {
        List<Svg.Series> series = new ArrayList<>();
        for (StudyTraining.Curve curve : curves) {
            int layers = curve.layerNames().size();
            double[] mean = new double[layers];
            for (double[] rms : curve.layerGradRms()) {
                for (int i = 0; i < layers; i++) {
                    mean[i] += rms[i] / curve.layerGradNorms().size();
                }
            }
            series.add(new Svg.Series(curve.configuration().label(), IntStream.rangeClosed(1, layers).asDoubleStream().toArray(), mean));
        }
        return Svg.lineChart("Gradient by layer, mean over the steps", "layer (1: next to the input)", "RMS of the weight gradient", series, true);
    }

    private static String lossChart(List<StudyTraining.Curve> curves) {
        List<Svg.Series> series = curves.stream().map(curve -> new Svg.Series(curve.configuration().label(),
                IntStream.rangeClosed(1, curve.stepLoss().size()).asDoubleStream().toArray(),
                curve.stepLoss().stream().mapToDouble(Double::doubleValue).toArray())).toList();
        return Svg.lineChart("Training loss every step", "step", "cross-entropy", series, true);
    }

    static String readNetworks(List<StudyTraining.Curve> curves, int depth) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "Three networks of %d hidden layers, trained alike. ", depth));
        for (StudyTraining.Curve curve : curves) {
            text.append(String.format(Locale.ROOT, "%s: the first hidden-to-hidden layer's gradient (root mean square of its entries) is %.3g times the last one's (median"
                    + " over the steps),"
                    + " test accuracy %s. ", curve.configuration().label(), medianRatio(curve), curve.stopped() != null ? "diverged"
                    : String.format(Locale.ROOT, "%.2f%%", 100 * curve.finalAccuracy())));
        }
        return text.append("Backpropagation multiplies the gradient by each layer's weights and by the activation's derivative; the"
                + " sigmoid's is at most 1/4, so through many layers the product shrinks geometrically and the layers next to the input"
                + " barely move. ReLU's derivative is 1 where it is active, He's initialization keeps the weights' scale at sqrt(2 /"
                + " fan-in) to match, and batch norm rescales every layer's input, so in both the gradient keeps about one size through"
                + " the depth (batch norm's ratio is larger over its first steps, as deep batch-normalized networks start with gradients"
                + " that grow toward the input, and settles as it trains).").toString();
    }

    static String readClipping(List<StudyTraining.Curve> curves, double lr, double clip) {
        StudyTraining.Curve free = curves.get(0);
        StudyTraining.Curve clipped = curves.get(1);
        return String.format(Locale.ROOT, "At lr %s the unclipped ReLU network %s; clipped to a global gradient norm of %s it %s. Clipping"
                        + " rescales a step whose gradient is too large without changing its direction, so one bad batch cannot throw the"
                        + " weights far off.", lr, free.stopped() != null ? "diverged (" + free.stopped() + ")" : String.format(Locale.ROOT,
                        "ended at %.2f%%", 100 * free.finalAccuracy()), clip, clipped.stopped() != null ? "diverged too"
                        : String.format(Locale.ROOT, "ended at %.2f%%", 100 * clipped.finalAccuracy()));
    }

    /** A curve's results with the names of its layers and the gradient norms of every step. */
    private static Map<String, Object> withLayers(StudyTraining.Curve curve) {
        Map<String, Object> map = curve.toMap();
        map.put("layers", curve.layerNames());
        map.put("layerSizes", curve.layerSizes());
        map.put("layerGradNorms", curve.layerGradNorms().stream().map(norms -> Arrays.stream(norms).boxed().toList()).toList());
        map.put("medianFirstOverLast", medianRatio(curve));
        return map;
    }
}
