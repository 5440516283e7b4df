package dev.descent.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code descent study first-vs-second-order}: L-BFGS and Newton-CG on the whole training set
 * against the same methods on minibatches, beside Adam, on the 784-512-256-10 MLP without batch
 * norm or dropout (so that every method minimizes one deterministic function). A quasi-Newton or Newton step
 * trusts its curvature estimate; on a minibatch that estimate and the line search's function values
 * carry the batch's noise, so the minibatch forms need their small per-batch budgets (a few
 * iterations, a short conjugate-gradient run) where the full-batch forms converge steadily but pay a
 * pass over all the data for every evaluation. The charts set the training loss (on the whole
 * training set) against closure evaluations and against wall time.
 */
final class SecondOrderNoiseStudy {
    static final int DEFAULT_EPOCHS = 5;
    static final int DEFAULT_LIMIT = 5_000;

    private SecondOrderNoiseStudy() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = StudyCommand.flags("first-vs-second-order", DEFAULT_EPOCHS)
                .flag("minibatch", "1000", "the batch of the minibatch second-order runs (Adam takes 128)")
                .parse(args);
        if (!line.isSet("limit")) {
            line.defaults(Map.of("limit", Integer.toString(DEFAULT_LIMIT)));
        }
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        int minibatch = line.integer("minibatch", 1);
        int images = Math.min(line.integer("limit", 1), 60_000);
        if (minibatch > images || 128 > images) {
            throw new UsageException("study first-vs-second-order: --minibatch " + minibatch + " (and Adam's 128) must not exceed the"
                    + " training set (" + images + " images)");
        }
        StudyCommand.Context context = StudyCommand.context("first-vs-second-order", args, line, err);
        int all = context.train().size();
        // without batch norm and dropout the loss is one deterministic function of the weights for every method: batch norm's running
        // statistics would lag behind the few steps of the full-batch runs, and dropout's masks would add noise of their own
        MnistModels.Spec model = MnistModels.mlp(null, null, false, 0);
        List<StudyTraining.Curve> curves = new ArrayList<>();
        curves.add(train(context, new StudyTraining.Configuration("Adam, batch 128", model, "adam", 128, null, "constant", 1, 0), out));
        curves.add(train(context, new StudyTraining.Configuration("L-BFGS, batch " + minibatch, model,
                "lbfgs:historySize=10,maxIter=4,lineSearch=strong_wolfe", minibatch, null, "constant", 1, 0), out));
        curves.add(train(context, new StudyTraining.Configuration("L-BFGS, full batch", model,
                "lbfgs:historySize=10,maxIter=20,lineSearch=strong_wolfe", all, null, "constant", 1, 0), out));
        curves.add(train(context, new StudyTraining.Configuration("Newton-CG, batch " + minibatch, model, "newtoncg:maxCgIterations=10",
                minibatch, null, "constant", 1, 0), out));
        curves.add(train(context, new StudyTraining.Configuration("Newton-CG, full batch", model, "newtoncg:maxCgIterations=20", all, null,
                "constant", 1, 0), out));

        StringBuilder body = new StringBuilder("<h2>Training loss against evaluations and against time</h2><div class=\"row\">");
        body.append(chart(curves, true)).append(chart(curves, false)).append("</div>");
        body.append("<p class=\"reading\">").append(Svg.escape(read(curves))).append("</p>");
        out.println("first against second order:");
        body.append(StudyCommand.table(curves, out));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("runs", curves.stream().map(StudyTraining.Curve::toMap).toList());
        StudyCommand.write(context, "First against second order, on minibatches and on the full batch (" + model.describe() + ")",
                body.toString(), results, out);
        return 0;
    }

    private static StudyTraining.Curve train(StudyCommand.Context context, StudyTraining.Configuration configuration, PrintStream out) {
        StudyTraining.Curve curve = StudyTraining.run(configuration, context.train(), context.test(), context.epochs(), context.seed(),
                context.device(), false, true);
        out.printf(Locale.ROOT, "  %-24s %s%n", configuration.label(), curve.stopped() != null ? "diverged" : String.format(Locale.ROOT,
                "training loss %.4f, %.2f%% after %d evaluations, %.1f s", last(curve.fullTrainLoss()), 100 * curve.finalAccuracy(),
                lastCount(curve.evaluations()), curve.seconds()));
        return curve;
    }

    private static double last(List<Double> values) {
        return values.isEmpty() ? Double.NaN : values.get(values.size() - 1);
    }

    private static long lastCount(List<Long> values) {
        return values.isEmpty() ? 0 : values.get(values.size() - 1);
    }

    private static String chart(List<StudyTraining.Curve> curves, boolean againstEvaluations) {
        List<Svg.Series> series = new ArrayList<>();
        for (StudyTraining.Curve curve : curves) {
            int epochs = curve.fullTrainLoss().size();
            double[] x = new double[epochs];
            for (int i = 0; i < epochs; i++) {
                // evaluations counted in examples seen, so that a full-batch evaluation weighs as much as the minibatches it spans
                x[i] = againstEvaluations ? (double) curve.evaluations().get(i) * curve.configuration().batch()
                        : curve.seconds() * (i + 1) / epochs;
            }
            series.add(new Svg.Series(curve.configuration().label(), x, curve.fullTrainLoss().stream().mapToDouble(Double::doubleValue).toArray()));
        }
        return againstEvaluations
                ? Svg.lineChart("Training loss against examples evaluated (closure evaluations times batch)", "examples evaluated",
                        "cross-entropy on the training set", series, true)
                : Svg.lineChart("Training loss against training time", "seconds (epochs spread evenly)", "cross-entropy on the training set",
                        series, true);
    }

    static String read(List<StudyTraining.Curve> curves) {
        StringBuilder text = new StringBuilder();
        for (StudyTraining.Curve curve : curves) {
            text.append(String.format(Locale.ROOT, "%s: training loss %.4f, test accuracy %s, %d closure evaluations of %d images, %.1f s. ",
                    curve.configuration().label(), last(curve.fullTrainLoss()), curve.stopped() != null ? "diverged"
                            : String.format(Locale.ROOT, "%.2f%%", 100 * curve.finalAccuracy()), lastCount(curve.evaluations()),
                    curve.configuration().batch(), curve.seconds()));
        }
        return text.append("Each full-batch evaluation passes over every training image, so the full-batch methods make few steps in the"
                + " same epochs; their steps are exact in the training loss, and they descend steadily. The minibatch forms take many"
                + " more, cheaper steps, each on a noisy estimate of the loss and its curvature: with a short budget per batch they make"
                + " progress, and with a long one they would fit each batch rather than the data. Newton-CG's Hessian-vector products"
                + " (about two passes each) are not counted as evaluations; the time chart includes them.").toString();
    }
}
