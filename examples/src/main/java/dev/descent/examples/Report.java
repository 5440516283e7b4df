package dev.descent.examples;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** The self-contained {@code report.html} of a training run: charts, confusion matrix, digit grids, graph and configuration. */
final class Report {
    /** Everything the report shows. */
    /**
     * What a report shows: the run's history, the last evaluation (null when no epoch finished),
     * {@code model}, the model as it prints (its layers and parameter counts), and {@code failure},
     * the one line that says why training stopped early, or null.
     */
    record Content(String title, Map<String, Object> config, RunHistory history, Trainer.Evaluation evaluation, String[] classes,
                   List<DigitGrid.Tile> misclassified, List<DigitGrid.Tile> augmented, String model, String graphSvg, String failure) {
        double[] trainLoss() {
            return array(history.trainLoss());
        }

        double[] testLoss() {
            return array(history.testLoss());
        }

        double[] trainAccuracy() {
            return array(history.trainAccuracy());
        }

        double[] testAccuracy() {
            return array(history.testAccuracy());
        }

        double[] epochSeconds() {
            return array(history.epochSeconds());
        }

        List<Double> stepLoss() {
            return history.stepLoss();
        }

        List<Double> stepLr() {
            return history.stepLr();
        }

        List<Double> stepGradNorm() {
            return history.stepGradNorm();
        }
    }

    private Report() {
    }

    static String html(Content c) {
        double[] epochs = IntStream.rangeClosed(1, c.trainLoss().length).asDoubleStream().toArray();
        double[] steps = IntStream.rangeClosed(1, c.stepLoss().size()).asDoubleStream().toArray();
        StringBuilder html = new StringBuilder();
        int last = c.testAccuracy().length - 1;
        if (c.failure() != null) {
            html.append("<p style=\"color:#b00020\"><b>Training stopped: ").append(Svg.escape(c.failure())).append(".</b> ")
                    .append(last < 0 ? "No epoch finished." : "The curves and tables below cover the " + (last + 1) + " epoch(s) that finished"
                            + " and the steps up to the one that stopped it.").append("</p>");
        }
        if (last >= 0) {
            html.append(String.format(java.util.Locale.ROOT, "<p>%s test accuracy <b>%.2f%%</b>, test loss %.4f, after %d epochs;"
                    + " median training time per epoch %.2f s.</p>", c.failure() == null ? "Final" : "Last", 100 * c.testAccuracy()[last],
                    c.testLoss()[last], last + 1, median(c.epochSeconds())));
        }
        html.append("<h2>Learning curves</h2><div class=\"row\">");
        html.append(Svg.lineChart("Loss per epoch", "epoch", "cross-entropy",
                List.of(new Svg.Series("train", epochs, c.trainLoss()), new Svg.Series("test", epochs, c.testLoss())), false));
        html.append(Svg.lineChart("Accuracy per epoch", "epoch", "accuracy",
                List.of(new Svg.Series("train", epochs, c.trainAccuracy()), new Svg.Series("test", epochs, c.testAccuracy())), false));
        html.append("</div><h2>Every step</h2><div class=\"row\">");
        html.append(Svg.lineChart("Training loss per step", "step", "loss", List.of(new Svg.Series("loss", steps, array(c.stepLoss()))), true));
        html.append(Svg.lineChart("Learning rate per step", "step", "learning rate", List.of(new Svg.Series("lr", steps, array(c.stepLr()))), false));
        html.append(Svg.lineChart("Gradient norm per step", "step", "global L2 norm",
                List.of(new Svg.Series("gradient norm", steps, array(c.stepGradNorm()))), true));
        if (!c.history().layerGradNorm().isEmpty()) {
            List<Svg.Series> layers = new java.util.ArrayList<>();
            c.history().layerGradNorm().forEach((layer, values) -> layers.add(new Svg.Series(layer,
                    IntStream.rangeClosed(steps.length - values.size() + 1, steps.length).asDoubleStream().toArray(), array(values))));
            html.append(Svg.lineChart("Gradient norm of each layer's weights per step", "step", "L2 norm", layers, true));
        }
        html.append("</div>");
        if (c.evaluation() != null) {
            html.append("<h2>Confusion matrix (test set)</h2>").append(Svg.confusionMatrix(c.evaluation().confusion(), c.classes()));
            html.append("<h2>Misclassified test images</h2><p>Caption: true label &rarr; prediction.</p>")
                    .append(DigitGrid.html(c.misclassified(), 3));
        }
        if (!c.augmented().isEmpty()) {
            html.append("<h2>Augmented training samples</h2>").append(DigitGrid.html(c.augmented(), 3));
        }
        html.append("<h2>Model</h2><pre>").append(Svg.escape(c.model())).append("</pre>");
        html.append("<h2>Computational graph of one training step</h2><div class=\"graph\">").append(c.graphSvg()).append("</div>");
        html.append("<h2>Configuration</h2><table>");
        c.config().forEach((k, v) -> html.append("<tr><th>").append(Svg.escape(k)).append("</th><td>").append(Svg.escape(String.valueOf(v)))
                .append("</td></tr>"));
        html.append("</table><h2>Per epoch</h2><table><tr><th>epoch</th><th>train loss</th><th>train accuracy</th><th>test loss</th>"
                + "<th>test accuracy</th><th>seconds</th></tr>");
        for (int e = 0; e <= last; e++) {
            html.append(String.format(java.util.Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.2f</td></tr>",
                    e + 1, c.trainLoss()[e], c.trainAccuracy()[e], c.testLoss()[e], c.testAccuracy()[e], c.epochSeconds()[e]));
        }
        return HtmlPage.of(c.title(), html.append("</table>").toString());
    }

    static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
