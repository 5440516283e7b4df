package dev.descent.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The alpha-beta model of data-parallel training, fitted to measurements and used to predict
 * epochs on clusters we do not have. A ring all-reduce of m bytes over n workers takes
 * <pre>
 *   T(n, m) = 2(n - 1) &alpha; + 2 (n - 1) / n &middot; m / B
 * </pre>
 * (2(n&minus;1) steps, each a message latency &alpha;, moving 2(n&minus;1)/n of the buffer over a
 * link of bandwidth B). &alpha; and 1/B are fitted by least squares to the ring rows of
 * {@link CollectiveBenchmark}'s CSV; the predictions keep the fitted &alpha; (the software's
 * latency per message, which loopback measures well) and put each link's B in place of
 * loopback's.
 *
 * <p>A step of a worker with b samples costs {@code optimizer + perSample &middot; b} of compute
 * (the optimizer's step does not shrink with the batch) plus the all-reduce of the gradients,
 * taken as not overlapped: in MLP-BN the first layer's gradient, 75% of the bytes, is the last
 * one backward produces, so nothing is left to hide its reduction behind. An epoch is
 * 60,000 / (global batch) steps. Two ways to use n workers are predicted: the same global batch
 * of 128 split n ways (the run's optimization unchanged) and 128 per worker (a global batch of
 * 128n, with the linear scaling rule and warm-up).
 *
 * <p>Usage: {@code CostModel CSV STEP_MS OPTIMIZER_MS PARAMETERS}, with the single-worker step's
 * compute time at batch 128 and its optimizer share, in ms, from {@link ReplicaStepBreakdown}.
 * Prints the fit and markdown tables for the model and for one ten times larger.
 */
public final class CostModel {
    static final int SAMPLES = 60_000;
    static final int[] WORKERS = {1, 4, 8, 16, 32, 64};
    static final double[] LINKS_GBIT = {10, 25, 100};

    private CostModel() {
    }

    /** The fitted latency per message (s) and time per byte (s/B). */
    record Fit(double alpha, double secondsPerByte, int points) {
        double allReduce(int workers, double bytes, double bytesPerSecond) {
            return workers == 1 ? 0 : 2.0 * (workers - 1) * alpha + 2.0 * (workers - 1) / workers * bytes / bytesPerSecond;
        }
    }

    /** Least squares of T = x1 &alpha; + x2 &beta; over the ring rows (configuration "N ring", microseconds). */
    static Fit fit(List<String> csvLines) {
        double s11 = 0;
        double s12 = 0;
        double s22 = 0;
        double s1t = 0;
        double s2t = 0;
        int points = 0;
        for (String line : csvLines.subList(1, csvLines.size())) {
            String[] fields = line.split(",");
            if (!fields[1].endsWith("ring")) {
                continue;
            }
            int n = Integer.parseInt(fields[1].replaceAll("\\D+", ""));
            double bytes = Double.parseDouble(fields[0]);
            double seconds = Double.parseDouble(fields[2]) * 1e-6;
            // relative residuals: every size counts, not only the largest messages
            double weight = 1 / seconds;
            double x1 = 2.0 * (n - 1) * weight;
            double x2 = 2.0 * (n - 1) / n * bytes * weight;
            double t = seconds * weight;
            s11 += x1 * x1;
            s12 += x1 * x2;
            s22 += x2 * x2;
            s1t += x1 * t;
            s2t += x2 * t;
            points++;
        }
        if (points < 2) {
            throw new IllegalArgumentException("CostModel: the CSV needs at least two ring rows, got " + points);
        }
        double determinant = s11 * s22 - s12 * s12;
        return new Fit((s1t * s22 - s2t * s12) / determinant, (s11 * s2t - s12 * s1t) / determinant, points);
    }

    /** Epoch seconds for {@code workers} workers with {@code perWorker} samples each per step. */
    static double epoch(Fit fit, int workers, double perWorker, double perSampleSeconds, double optimizerSeconds, double gradientBytes,
            double bytesPerSecond) {
        double steps = SAMPLES / (perWorker * workers);
        return steps * (optimizerSeconds + perSampleSeconds * perWorker + fit.allReduce(workers, gradientBytes, bytesPerSecond));
    }

    static List<String> table(Fit fit, String model, double scale, double stepSeconds, double optimizerSeconds, long parameters) {
        double perSample = scale * (stepSeconds - optimizerSeconds) / 128;
        double optimizer = scale * optimizerSeconds;
        double bytes = scale * parameters * 4.0;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%s (%,d parameters, %.1f MB of float32 gradients per step):", model, (long) (scale * parameters),
                bytes / 1e6));
        lines.add("");
        lines.add("| workers | link | epoch, batch 128 split | speed-up | epoch, 128 per worker | speed-up |");
        lines.add("| ---: | ---: | ---: | ---: | ---: | ---: |");
        double single = epoch(fit, 1, 128, perSample, optimizer, bytes, 1);
        for (double link : LINKS_GBIT) {
            double bytesPerSecond = link * 1e9 / 8;
            for (int workers : WORKERS) {
                if (workers == 1 && link != LINKS_GBIT[0]) {
                    continue;
                }
                double split = epoch(fit, workers, 128.0 / workers, perSample, optimizer, bytes, bytesPerSecond);
                double weak = epoch(fit, workers, 128, perSample, optimizer, bytes, bytesPerSecond);
                lines.add(String.format(Locale.ROOT, "| %d | %s | %.2f s | %.2fx | %.2f s | %.2fx |", workers,
                        workers == 1 ? "none" : (int) link + " Gb/s", split, single / split, weak, single / weak));
            }
        }
        return lines;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: CostModel COLLECTIVES_CSV STEP_MS OPTIMIZER_MS PARAMETERS");
            System.exit(2);
        }
        Fit fit = fit(Files.readAllLines(Path.of(args[0])));
        double step = Double.parseDouble(args[1]) / 1e3;
        double optimizer = Double.parseDouble(args[2]) / 1e3;
        long parameters = Long.parseLong(args[3]);
        System.out.printf(Locale.ROOT, "fit over %d ring rows: alpha = %.1f us per message, loopback B = %.2f GB/s%n%n", fit.points(),
                fit.alpha() * 1e6, 1e-9 / fit.secondsPerByte());
        table(fit, "MLP-BN", 1, step, optimizer, parameters).forEach(System.out::println);
        System.out.println();
        table(fit, "A model ten times larger (compute and gradients x10)", 10, step, optimizer, parameters).forEach(System.out::println);
    }
}
