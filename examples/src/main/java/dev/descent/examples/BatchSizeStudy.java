package dev.descent.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code descent study batch-size}: how the batch size and the learning rate trade against each
 * other in SGD with momentum on MLP-BN, in two experiments.
 * <ol>
 *   <li>Linear scaling with warm-up (Goyal et al. 2017): batches of 1, 4, 16 and 64 times the base
 *       batch, with the rate scaled by the same factor and warmed up over the first epochs, against
 *       the same batches at the base rate without warm-up. The gradient noise scale g &asymp; lr N / B
 *       (Smith and Le) stays put only when lr grows with B.</li>
 *   <li>Decay the rate or grow the batch (Smith et al. 2018): a step schedule dividing the rate by 5
 *       at two epochs, against multiplying the batch by 5 at the same epochs, against a hybrid
 *       (the batch at the first, the rate at the second): the same noise schedule, with far fewer
 *       updates when the batch grows.</li>
 * </ol>
 */
final class BatchSizeStudy {
    static final int DEFAULT_EPOCHS = 8;
    static final int[] BATCH_FACTORS = {1, 4, 16, 64};
    static final int DECAY = 5;

    private BatchSizeStudy() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = StudyCommand.flags("batch-size", DEFAULT_EPOCHS)
                .flag("batch", "128", "the base batch; the scaling runs use 1, 4, 16 and 64 times it")
                .flag("lr", "0.05", "SGD's rate at the base batch (momentum 0.9)")
                .flag("warmup-epochs", "2", "epochs of linear warm-up for the scaled runs")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        int batch = StudyCommand.batch("batch-size", line);
        double lr = StudyCommand.positive("batch-size", line, "lr");
        int warmup = line.integer("warmup-epochs", 0);
        int epochs = line.integer("epochs", 1);
        if (warmup >= epochs) {
            throw new UsageException("study batch-size: --warmup-epochs " + warmup + " leaves nothing of the " + epochs + " epoch(s)");
        }
        StudyCommand.Context context = StudyCommand.context("batch-size", args, line, err);
        String sgd = String.format(Locale.ROOT, "sgd:lr=%s,momentum=0.9", lr);
        MnistModels.Spec model = MnistModels.named("mlp-bn");
        int images = context.train().size();

        List<StudyTraining.Curve> scaling = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int factor : BATCH_FACTORS) {
            int size = batch * factor;
            if (size > images) {
                skipped.add("batch " + size + " (larger than the " + images + " training images)");
                continue;
            }
            scaling.add(train(context, new StudyTraining.Configuration("B=" + size + (factor > 1 ? " scaled" : ""), model, sgd, size, null,
                    "cosine", factor, factor > 1 ? warmup : 0), out));
            if (factor > 1) {
                scaling.add(train(context, new StudyTraining.Configuration("B=" + size + " unscaled", model, sgd, size, null, "cosine", 1, 0), out));
            }
        }

        List<StudyTraining.Curve> growing = new ArrayList<>();
        // early milestones (a quarter and five eighths of the run), as Smith et al. place theirs: most epochs then run at the larger batch
        int first = Math.max(2, epochs / 4 + 1);
        int second = Math.max(first + 1, (5 * epochs) / 8 + 1);
        if (epochs >= 3 && second > first && second <= epochs && (long) batch * DECAY * DECAY <= images) {
            String milestones = first + "," + second;
            growing.add(train(context, new StudyTraining.Configuration("decay lr", model, sgd, batch, null, "step:" + DECAY + "@" + milestones, 1, 0),
                    out));
            growing.add(train(context, new StudyTraining.Configuration("grow batch", model, sgd, batch,
                    EpochMilestones.parse("batch-schedule", DECAY + "@" + milestones, epochs, true), "constant", 1, 0), out));
            growing.add(train(context, new StudyTraining.Configuration("hybrid", model, sgd, batch,
                    EpochMilestones.parse("batch-schedule", DECAY + "@" + first, epochs, true), "step:" + DECAY + "@" + second, 1, 0), out));
        } else {
            skipped.add("decay against growth (it needs 3 epochs or more and " + batch * DECAY * DECAY + " training images)");
        }

        StringBuilder body = new StringBuilder();
        body.append("<h2>Linear scaling with warm-up</h2><div class=\"row\">")
                .append(StudyCommand.accuracyChart("Test accuracy against epochs", scaling, false))
                .append(StudyCommand.accuracyChart("Test accuracy against parameter updates", scaling, true)).append("</div>")
                .append("<p class=\"reading\">").append(Svg.escape(readScaling(scaling, batch))).append("</p>");
        out.println("linear scaling:");
        body.append(StudyCommand.table(scaling, out));
        if (!growing.isEmpty()) {
            body.append("<h2>Decay the learning rate or grow the batch</h2><div class=\"row\">")
                    .append(StudyCommand.accuracyChart("Test accuracy against epochs", growing, false))
                    .append(StudyCommand.accuracyChart("Test accuracy against parameter updates", growing, true)).append("</div>")
                    .append("<p class=\"reading\">").append(Svg.escape(readGrowing(growing))).append("</p>");
            out.println("decay against growth:");
            body.append(StudyCommand.table(growing, out));
        }
        if (!skipped.isEmpty()) {
            body.append("<p>Not run: ").append(Svg.escape(String.join("; ", skipped))).append(".</p>");
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("linearScaling", scaling.stream().map(StudyTraining.Curve::toMap).toList());
        results.put("decayVersusGrowth", growing.stream().map(StudyTraining.Curve::toMap).toList());
        results.put("skipped", skipped);
        StudyCommand.write(context, "Batch size and learning rate: SGD with momentum on MLP-BN", body.toString(), results, out);
        return 0;
    }

    private static StudyTraining.Curve train(StudyCommand.Context context, StudyTraining.Configuration configuration, PrintStream out) {
        StudyTraining.Curve curve = StudyTraining.run(configuration, context.train(), context.test(), context.epochs(), context.seed(),
                context.device());
        out.printf(Locale.ROOT, "  %-16s %s%n", configuration.label(), curve.stopped() != null ? "diverged" : String.format(Locale.ROOT,
                "%.2f%% after %d updates, %.1f s", 100 * curve.finalAccuracy(), curve.totalUpdates(), curve.seconds()));
        return curve;
    }

    /** The paragraph under the scaling charts, from the numbers measured. */
    static String readScaling(List<StudyTraining.Curve> curves, int batch) {
        StringBuilder text = new StringBuilder("Each curve is one run of the same epochs from the same weights and data order. ");
        StudyTraining.Curve base = curves.isEmpty() ? null : curves.get(0);
        if (base != null) {
            text.append(String.format(Locale.ROOT, "At the base batch of %d the run ends at %.2f%%. ", batch, 100 * base.finalAccuracy()));
        }
        for (int i = 1; i + 1 < curves.size(); i += 2) {
            StudyTraining.Curve scaled = curves.get(i);
            StudyTraining.Curve unscaled = curves.get(i + 1);
            text.append(String.format(Locale.ROOT, "Batch %d: %s with the rate scaled by %.0f and warmed up, %s at the base rate, in %d updates"
                    + " instead of %d. ", scaled.configuration().batch(), percent(scaled), scaled.configuration().lrFactor(), percent(unscaled),
                    scaled.totalUpdates(), base == null ? 0 : base.totalUpdates()));
        }
        return text.append("A larger batch averages more examples per update, so at a fixed rate it takes fewer, less noisy steps and"
                + " falls behind in the same epochs; scaling the rate with the batch keeps the update per example about the same, and"
                + " the warm-up keeps the first large steps from throwing the network off before batch norm's statistics settle.")
                .toString();
    }

    /** The paragraph under the decay-against-growth charts. */
    static String readGrowing(List<StudyTraining.Curve> curves) {
        StudyTraining.Curve decay = curves.get(0);
        StudyTraining.Curve grow = curves.get(1);
        StudyTraining.Curve hybrid = curves.get(2);
        return String.format(Locale.ROOT, "Dividing the rate by %d ends at %s after %d updates; multiplying the batch by %d at the same epochs"
                        + " ends at %s after %d updates (%.0f%% of them); the hybrid ends at %s after %d. Both lower the noise of the steps by the"
                        + " same factor, which is what the accuracy follows; the growing batch gets there with far fewer, larger updates,"
                        + " which is what makes it attractive on parallel hardware.", DECAY, percent(decay), decay.totalUpdates(), DECAY,
                percent(grow), grow.totalUpdates(), 100.0 * grow.totalUpdates() / Math.max(1, decay.totalUpdates()), percent(hybrid),
                hybrid.totalUpdates());
    }

    private static String percent(StudyTraining.Curve curve) {
        return curve.stopped() != null ? "a diverged run" : String.format(Locale.ROOT, "%.2f%%", 100 * curve.finalAccuracy());
    }
}
