package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code descent study adaptive}: where adaptive methods go wrong, and what fixes it.
 * <ol>
 *   <li>Reddi, Kale and Kumar (2018), "On the Convergence of Adam and Beyond": the online problem
 *       on x in [&minus;1, 1] with f&#x209C;(x) = 1010 x when t mod 101 = 1 and &minus;10 x otherwise, whose
 *       average is minimized at x = &minus;1. Adam (&beta; = 0.9, 0.999, rate &alpha; / &radic;t) forgets the rare
 *       large gradient through its second-moment average and drifts to x = +1, the worst point;
 *       AMSGrad keeps the largest second moment seen and converges to &minus;1.</li>
 *   <li>SGD with momentum and a step decay against Adam on MLP-BN at the same budget (epochs,
 *       batch): test accuracy and the gap between test and training loss.</li>
 * </ol>
 */
final class AdaptiveStudy {
    static final int DEFAULT_EPOCHS = 8;
    /** Points of the online problem's trajectory kept for the charts. */
    static final int SAMPLES = 500;

    /** The online problem's run by one optimizer: x and the average regret at sampled steps. */
    record Online(String optimizer, long[] steps, double[] x, double[] averageRegret) {
        double finalX() {
            return x[x.length - 1];
        }
    }

    private AdaptiveStudy() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = StudyCommand.flags("adaptive", DEFAULT_EPOCHS)
                .flag("online-steps", "500000", "steps of Reddi et al.'s online problem")
                .flag("online-lr", "1", "alpha of the online problem's rate alpha / sqrt(t)")
                .flag("batch", "128", "samples per step of the MNIST runs")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        int steps = line.integer("online-steps", SAMPLES);
        double alpha = StudyCommand.positive("adaptive", line, "online-lr");
        int batch = StudyCommand.batch("adaptive", line);
        StudyCommand.Context context = StudyCommand.context("adaptive", args, line, err);

        List<Online> online = List.of(online("adam:betas=0.9/0.999", "Adam", steps, alpha),
                online("adam:betas=0.9/0.999,amsgrad=true", "AMSGrad", steps, alpha));
        for (Online run : online) {
            out.printf(Locale.ROOT, "  %-8s x after %,d steps: %+.4f, average regret %.4g%n", run.optimizer(), steps, run.finalX(),
                    run.averageRegret()[run.averageRegret().length - 1]);
        }

        int epochs = context.epochs();
        List<StudyTraining.Curve> mnist = new ArrayList<>();
        mnist.add(train(context, new StudyTraining.Configuration("SGD momentum, step decay", MnistModels.named("mlp-bn"),
                "sgd:lr=0.05,momentum=0.9", batch, null, stepDecay(epochs), 1, 0), out));
        mnist.add(train(context, new StudyTraining.Configuration("Adam", MnistModels.named("mlp-bn"), "adam", batch, null, "constant", 1, 0),
                out));

        StringBuilder body = new StringBuilder("<h2>Adam against AMSGrad on Reddi et al.'s online problem</h2><div class=\"row\">");
        body.append(onlineChart(online, false)).append(onlineChart(online, true)).append("</div>");
        body.append("<p class=\"reading\">").append(Svg.escape(readOnline(online))).append("</p>");
        body.append("<h2>SGD with momentum against Adam on MNIST, same budget</h2><div class=\"row\">")
                .append(StudyCommand.accuracyChart("Test accuracy against epochs", mnist, false))
                .append(gapChart(mnist)).append("</div>")
                .append("<p class=\"reading\">").append(Svg.escape(readMnist(mnist))).append("</p>");
        out.println("SGD against Adam:");
        body.append(StudyCommand.table(mnist, out));
        Map<String, Object> results = new LinkedHashMap<>();
        List<Map<String, Object>> onlineResults = new ArrayList<>();
        for (Online run : online) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("optimizer", run.optimizer());
            map.put("steps", run.steps());
            map.put("x", run.x());
            map.put("averageRegret", run.averageRegret());
            onlineResults.add(map);
        }
        results.put("online", onlineResults);
        results.put("mnist", mnist.stream().map(StudyTraining.Curve::toMap).toList());
        StudyCommand.write(context, "Adaptive methods: where Adam fails, and SGD against Adam", body.toString(), results, out);
        return 0;
    }

    /**
     * Runs {@code spec} on the online problem from x = 0 for {@code steps} steps at rate alpha / sqrt(t),
     * projecting x onto [-1, 1] after each step; the regret is measured against the best fixed point, x = -1.
     */
    static Online online(String spec, String label, int steps, double alpha) {
        Tensor x = Tensor.of(NDArray.of(new double[] {0}, 1)).requiresGrad(true);
        Optimizer optimizer = Optimizers.create(spec, List.of(x));
        int every = Math.max(1, steps / SAMPLES);
        int kept = steps / every;
        long[] at = new long[kept];
        double[] xs = new double[kept];
        double[] regret = new double[kept];
        double total = 0;
        int k = 0;
        for (int t = 1; t <= steps; t++) {
            double coefficient = t % 101 == 1 ? 1010 : -10;
            double value = x.item();
            total += coefficient * value - coefficient * -1;
            optimizer.zeroGrad();
            x.mul(coefficient).sum().backward();
            optimizer.paramGroups().get(0).setLr(alpha / Math.sqrt(t));
            optimizer.step();
            double stepped = x.item();
            if (stepped > 1 || stepped < -1) {
                x.data().copyFrom(NDArray.of(new double[] {Math.max(-1, Math.min(1, stepped))}, 1));
            }
            if (t % every == 0 && k < kept) {
                at[k] = t;
                xs[k] = x.item();
                regret[k] = total / t;
                k++;
            }
        }
        return new Online(label, at, xs, regret);
    }

    /** The rate divided by 10 at half the run and again at three quarters (as far as the epochs allow); constant for one epoch. */
    static String stepDecay(int epochs) {
        if (epochs < 2) {
            return "constant";
        }
        int first = epochs / 2 + 1;
        int second = Math.max(first + 1, (3 * epochs) / 4 + 1);
        return "step:10@" + first + (second <= epochs ? "," + second : "");
    }

    private static StudyTraining.Curve train(StudyCommand.Context context, StudyTraining.Configuration configuration, PrintStream out) {
        StudyTraining.Curve curve = StudyTraining.run(configuration, context.train(), context.test(), context.epochs(), context.seed(),
                context.device());
        out.printf(Locale.ROOT, "  %-26s %s%n", configuration.label(), curve.stopped() != null ? "diverged" : String.format(Locale.ROOT,
                "%.2f%%, test loss %.4f, train loss %.4f, %.1f s", 100 * curve.finalAccuracy(), last(curve.testLoss()), last(curve.trainLoss()),
                curve.seconds()));
        return curve;
    }

    private static double last(List<Double> values) {
        return values.isEmpty() ? Double.NaN : values.get(values.size() - 1);
    }

    private static String onlineChart(List<Online> runs, boolean regret) {
        List<Svg.Series> series = runs.stream().map(run -> {
            double[] x = new double[run.steps().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = run.steps()[i];
            }
            return new Svg.Series(run.optimizer(), x, regret ? run.averageRegret() : run.x());
        }).toList();
        return regret ? Svg.lineChart("Average regret R(t) / t", "step t", "average regret", series, true)
                : Svg.lineChart("The iterate x (the best point is -1)", "step t", "x", series, false);
    }

    private static String gapChart(List<StudyTraining.Curve> curves) {
        List<Svg.Series> series = new ArrayList<>();
        for (StudyTraining.Curve curve : curves) {
            double[] epochs = java.util.stream.IntStream.rangeClosed(1, curve.testLoss().size()).asDoubleStream().toArray();
            double[] gap = new double[epochs.length];
            for (int i = 0; i < gap.length; i++) {
                gap[i] = curve.testLoss().get(i) - curve.trainLoss().get(i);
            }
            series.add(new Svg.Series(curve.configuration().label(), epochs, gap));
        }
        return Svg.lineChart("Generalization gap: test loss minus training loss", "epoch", "cross-entropy difference", series, false);
    }

    static String readOnline(List<Online> runs) {
        Online adam = runs.get(0);
        Online ams = runs.get(1);
        return String.format(Locale.ROOT, "After %,d steps Adam's iterate is at %+.3f and AMSGrad's at %+.3f; the best fixed point is -1."
                        + " The gradient is 1010 once every 101 steps and -10 otherwise, so on average it pushes x down. Adam divides each step"
                        + " by the square root of an exponential average of squared gradients: the rare large gradient is averaged away"
                        + " within a few hundred steps, so the 100 small steps up outweigh the one large step down, and x drifts to +1, where"
                        + " the average regret stays positive. AMSGrad divides by the largest average seen so far, so the small gradients never"
                        + " get large steps and x goes to -1, with the average regret falling toward zero.", adam.steps()[adam.steps().length - 1],
                adam.finalX(), ams.finalX());
    }

    static String readMnist(List<StudyTraining.Curve> curves) {
        StudyTraining.Curve sgd = curves.get(0);
        StudyTraining.Curve adam = curves.get(1);
        double sgdGap = last(sgd.testLoss()) - last(sgd.trainLoss());
        double adamGap = last(adam.testLoss()) - last(adam.trainLoss());
        return String.format(Locale.ROOT, "With the same epochs and batch, SGD with momentum and a step decay ends at %s (test loss %.4f,"
                        + " training loss %.4f, a gap of %.4f) and Adam at %s (%.4f, %.4f, a gap of %.4f): here %s has the smaller gap."
                        + " Wilson et al. (2017) found adaptive methods fitting the training set faster and generalizing worse than"
                        + " well-tuned SGD on larger problems; on MNIST's MLP the two are close, and the gap chart shows how they part"
                        + " epoch by epoch.", percent(sgd), last(sgd.testLoss()), last(sgd.trainLoss()), sgdGap, percent(adam),
                last(adam.testLoss()), last(adam.trainLoss()), adamGap, sgdGap <= adamGap ? "SGD" : "Adam");
    }

    private static String percent(StudyTraining.Curve curve) {
        return curve.stopped() != null ? "a diverged run" : String.format(Locale.ROOT, "%.2f%%", 100 * curve.finalAccuracy());
    }
}
