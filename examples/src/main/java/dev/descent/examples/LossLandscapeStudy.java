package dev.descent.examples;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Losses;
import dev.descent.nn.Parameter;
import dev.descent.nn.Sequential;
import dev.descent.optim.secondorder.HessianAnalysis;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code descent study landscape}: the loss around trained networks, MLP-BN beside the same MLP
 * without batch norm (trained here, or read from {@code weights.safetensors} files that
 * {@code descent mnist} wrote).
 * <ol>
 *   <li>The loss along the straight line from the initial to the final weights, &theta;(&alpha;) =
 *       (1 &minus; &alpha;) &theta;&#8320; + &alpha; &theta;&#8321; for &alpha; from &minus;0.5 to 1.5 (Goodfellow, Vinyals and Saxe 2015);
 *       batch norm's running statistics are interpolated with the weights.</li>
 *   <li>The loss on a plane through the final weights, &theta;&#8321; + a d&#8321; + b d&#8322;, along two random directions
 *       normalized filter by filter (Li et al. 2018): each row of a weight matrix (one neuron's
 *       inputs) gets the norm of the same row of &theta;&#8321;, and biases and batch norm's parameters are
 *       left out (their direction is zero), so that the picture does not depend on the weights'
 *       scale, to which batch norm makes the loss blind.</li>
 *   <li>The largest eigenvalues of the Hessian at the final weights by Lanczos on Hessian-vector
 *       products (batch norm in eval mode: a fixed affine map), and the spread of the Ritz values
 *       as a condition-number estimate.</li>
 * </ol>
 * Every loss is the mean cross-entropy in eval mode on the first {@code --batches} batches of
 * 1,000 training images.
 */
final class LossLandscapeStudy {
    static final int DEFAULT_EPOCHS = 2;

    /** One network to look at: its label, and its initial and final weights. */
    record Network(String label, Sequential initial, Sequential trained) {
    }

    private LossLandscapeStudy() {
    }

    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = StudyCommand.flags("landscape", DEFAULT_EPOCHS)
                .flag("weights", null, "comma-separated weights.safetensors files written by descent mnist (the model and seed come from the"
                        + " config.json beside each); without it, MLP-BN and the MLP without batch norm are trained here for --epochs")
                .flag("grid", "21", "points per side of the 2-D grid (at least 3)")
                .flag("span", "1", "the plane's half-width, in units of the normalized directions")
                .flag("batches", "2", "batches of 1,000 training images each loss is measured on")
                .flag("lanczos", "20", "Lanczos steps (Hessian-vector products) for the Hessian's eigenvalues")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        int grid = line.integer("grid", 0);
        if (grid < 3) {
            throw new UsageException("study landscape: --grid " + grid + " gives no surface; it needs at least 3 points per side");
        }
        double span = StudyCommand.positive("landscape", line, "span");
        int batches = line.integer("batches", 1);
        int lanczosSteps = line.integer("lanczos", 1);
        if ((long) batches * 1000 > Math.min(line.integer("limit", 1), 60_000)) {
            throw new UsageException("study landscape: --batches " + batches + " of 1,000 images is more than the training set ("
                    + Math.min(line.integer("limit", 1), 60_000) + " images)");
        }
        List<Path> weightFiles = new ArrayList<>();
        if (line.string("weights") != null) {
            for (String file : line.string("weights").split(",")) {
                Path path = Path.of(file.trim());
                if (!Files.isRegularFile(path)) {
                    throw new UsageException("study landscape: --weights " + path + " is not a file");
                }
                weightFiles.add(path);
            }
        }
        StudyCommand.Context context = StudyCommand.context("landscape", args, line, err);
        List<Network> networks = weightFiles.isEmpty() ? trainBoth(context, out) : load(weightFiles);
        List<Tensor[]> data = batches(context, batches);

        StringBuilder body = new StringBuilder("<h2>From the initial to the final weights</h2><div class=\"row\">");
        double[] alphas = IntStream.rangeClosed(0, 40).mapToDouble(i -> -0.5 + i * 0.05).toArray();
        List<Svg.Series> lines = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        List<Map<String, Object>> perNetwork = new ArrayList<>();
        StringBuilder surfaces = new StringBuilder("<h2>The plane through the final weights (filter-normalized directions)</h2><div class=\"row\">");
        StringBuilder hessian = new StringBuilder("<table><tr><th>network</th><th>largest Ritz values</th><th>smallest Ritz value</th>"
                + "<th>condition estimate</th></tr>");
        out.printf("%-28s %12s %12s %12s %14s%n", "network", "loss at 0", "loss at 1", "top eigenvalue", "condition est.");
        for (Network network : networks) {
            double[] interpolation = interpolate(network, alphas, data);
            lines.add(new Svg.Series(network.label(), alphas, interpolation));
            double[] axis = IntStream.range(0, grid).mapToDouble(i -> -span + 2 * span * i / (grid - 1)).toArray();
            double[][] surface = plane(network.trained(), axis, data, context.seed());
            surfaces.append(HeatMap.svg(network.label(), "direction 1", "direction 2", axis, axis, surface));
            double[] ritz = lanczos(network.trained(), data.get(0), lanczosSteps, context.seed());
            double top = ritz[ritz.length - 1];
            double condition = HessianAnalysis.conditionNumber(ritz);
            out.printf(Locale.ROOT, "%-28s %12.4f %12.4f %12.4g %14.4g%n", network.label(), interpolation[10], interpolation[30], top, condition);
            hessian.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.4g</td><td>%.4g</td></tr>", Svg.escape(network.label()),
                    topThree(ritz), ritz[0], condition));
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("network", network.label());
            map.put("alpha", alphas);
            map.put("interpolation", interpolation);
            map.put("planeAxis", axis);
            map.put("plane", surface);
            map.put("ritzValues", ritz);
            map.put("conditionEstimate", condition);
            perNetwork.add(map);
        }
        body.append(Svg.lineChart("Loss along (1 - alpha) initial + alpha final", "alpha (0: initial weights, 1: final)",
                "cross-entropy (training images)", lines, true)).append("</div>");
        body.append("<p class=\"reading\">").append(Svg.escape(readInterpolation(perNetwork))).append("</p>");
        body.append(surfaces).append("</div><p class=\"reading\">The loss on the plane through the final weights spanned by two random"
                + " directions, each row of each weight matrix scaled to the norm of that row of the weights (Li et al. 2018), at "
                + grid + " x " + grid + " points; dark is low. A wide basin with evenly spaced contours is the picture Li et al. link to"
                + " easy training and good generalization; batch norm's network is the one to compare against.</p>");
        body.append("<h2>The Hessian at the final weights</h2>").append(hessian).append("</table><p class=\"reading\">").append(
                Svg.escape("Ritz values of " + lanczosSteps + " Lanczos steps on Hessian-vector products over one batch of 1,000 images:"
                        + " the largest converge first and estimate the sharpest curvature; the condition estimate is the largest over"
                        + " the smallest |Ritz value| (a lower bound on the Hessian's own, whose smallest eigenvalues Lanczos resolves"
                        + " last). A larger top eigenvalue is a sharper minimum: a step of 2 / lambda_max along it already overshoots."))
                .append("</p>");
        results.put("networks", perNetwork);
        StudyCommand.write(context, "Loss landscapes of trained networks", body.toString(), results, out);
        return 0;
    }

    private static List<Network> trainBoth(StudyCommand.Context context, PrintStream out) {
        List<Network> networks = new ArrayList<>();
        for (MnistModels.Spec spec : List.of(MnistModels.named("mlp-bn"), MnistModels.mlp(null, null, false, 0.2))) {
            String label = spec.batchNorm() ? "MLP-BN" : "MLP without batch norm";
            StudyTraining.Trained trained = StudyTraining.train(new StudyTraining.Configuration(label, spec, "adam", 128, null, "cosine", 1, 0),
                    context.train(), context.test(), context.epochs(), context.seed(), context.device(), false, false);
            out.printf(Locale.ROOT, "  trained %-24s %.2f%%%n", label, 100 * trained.curve().finalAccuracy());
            networks.add(new Network(label, spec.create(new Generator(context.seed()), new Generator(context.seed() + 1)), trained.model()));
        }
        return networks;
    }

    /** The networks of descent mnist runs: the model and seed from the config.json beside each weights file. */
    private static List<Network> load(List<Path> files) {
        List<Network> networks = new ArrayList<>();
        for (Path file : files) {
            Path config = file.toAbsolutePath().resolveSibling("config.json");
            if (!Files.isRegularFile(config)) {
                throw new UsageException("study landscape: " + file + " has no config.json beside it, which says its model and seed");
            }
            Map<String, String> flags = ConfigFile.read("study landscape", config);
            MnistModels.Spec spec = MnistModels.fromConfig(flags);
            long seed = Long.parseLong(flags.getOrDefault("seed", "0"));
            Sequential trained = spec.create(new Generator(seed), new Generator(seed + 1));
            try {
                trained.load(file);
            } catch (IOException | RuntimeException e) {
                throw new UsageException("study landscape: " + file + " does not match the model its config.json describes ("
                        + spec.describe() + "): " + e.getMessage());
            }
            networks.add(new Network(spec.describe() + " (" + file.getParent().getFileName() + ")", spec.create(new Generator(seed),
                    new Generator(seed + 1)), trained));
        }
        return networks;
    }

    private static List<Tensor[]> batches(StudyCommand.Context context, int count) {
        List<Tensor[]> batches = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int[] indices = IntStream.range(b * 1000, (b + 1) * 1000).toArray();
            NDArray[] fields = context.train().getBatch(indices);
            batches.add(new Tensor[] {Tensor.of(fields[0].to(context.device())), Tensor.of(fields[1].to(context.device()))});
        }
        return batches;
    }

    /** The mean cross-entropy of {@code model} in eval mode over the batches. */
    static double loss(Sequential model, List<Tensor[]> batches) {
        model.eval();
        double sum = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (Tensor[] batch : batches) {
                sum += Losses.crossEntropy(model.forward(batch[0]), batch[1]).item();
            }
        }
        return sum / batches.size();
    }

    /** The loss at (1 - alpha) initial + alpha final for each alpha, weights and running statistics alike. */
    private static double[] interpolate(Network network, double[] alphas, List<Tensor[]> batches) {
        Map<String, NDArray> from = network.initial().stateDict();
        Map<String, NDArray> to = network.trained().stateDict();
        Sequential probe = network.initial();
        Map<String, NDArray> initial = copies(from);
        Map<String, NDArray> live = probe.stateDict();
        double[] losses = new double[alphas.length];
        for (int i = 0; i < alphas.length; i++) {
            double alpha = alphas[i];
            live.forEach((name, value) -> {
                if (value.dtype().isFloatingPoint()) {
                    value.copyFrom(initial.get(name).mul(1 - alpha).add(to.get(name).mul(alpha)).astype(value.dtype()));
                }
            });
            losses[i] = loss(probe, batches);
        }
        live.forEach((name, value) -> value.copyFrom(initial.get(name).astype(value.dtype())));
        return losses;
    }

    /** The loss at final + a d1 + b d2 over the grid, d1 and d2 random and filter-normalized; rows are b, columns a. */
    private static double[][] plane(Sequential model, double[] axis, List<Tensor[]> batches, long seed) {
        Map<String, Parameter> parameters = model.namedParameters();
        Map<String, NDArray> center = copies(new LinkedHashMap<>(parameters.entrySet().stream().collect(LinkedHashMap::new,
                (m, e) -> m.put(e.getKey(), e.getValue().data()), Map::putAll)));
        Generator generator = new Generator(seed + 10);
        Map<String, NDArray> first = directions(center, generator);
        Map<String, NDArray> second = directions(center, generator);
        double[][] surface = new double[axis.length][axis.length];
        for (int row = 0; row < axis.length; row++) {
            for (int col = 0; col < axis.length; col++) {
                double a = axis[col];
                double b = axis[row];
                parameters.forEach((name, parameter) -> parameter.data().copyFrom(center.get(name).add(first.get(name).mul(a))
                        .add(second.get(name).mul(b)).astype(parameter.dtype())));
                surface[row][col] = loss(model, batches);
            }
        }
        parameters.forEach((name, parameter) -> parameter.data().copyFrom(center.get(name).astype(parameter.dtype())));
        return surface;
    }

    /** A random direction with each weight row scaled to that row's norm in {@code center}; zero for vectors (biases, batch norm). */
    static Map<String, NDArray> directions(Map<String, NDArray> center, Generator generator) {
        Map<String, NDArray> directions = new LinkedHashMap<>();
        center.forEach((name, weights) -> {
            if (weights.rank() < 2) {
                directions.put(name, weights.zerosLike());
                return;
            }
            int rows = weights.shape(0);
            int columns = weights.size() / rows;
            double[] w = weights.toDoubleArray();
            double[] d = NDArray.randn(dev.descent.core.DType.FLOAT64, generator, weights.size()).toDoubleArray();
            for (int r = 0; r < rows; r++) {
                double rowNorm = 0;
                double directionNorm = 0;
                for (int c = 0; c < columns; c++) {
                    rowNorm += w[r * columns + c] * w[r * columns + c];
                    directionNorm += d[r * columns + c] * d[r * columns + c];
                }
                double scale = directionNorm == 0 ? 0 : Math.sqrt(rowNorm / directionNorm);
                for (int c = 0; c < columns; c++) {
                    d[r * columns + c] *= scale;
                }
            }
            directions.put(name, NDArray.of(d, weights.shape()).astype(weights.dtype()).to(weights.device()));
        });
        return directions;
    }

    /** Ritz values of the Hessian of the eval-mode loss on {@code batch} at the model's weights, ascending. */
    static double[] lanczos(Sequential model, Tensor[] batch, int steps, long seed) {
        model.eval();
        return HessianAnalysis.lanczos(model.parameters(), () -> Losses.crossEntropy(model.forward(batch[0]), batch[1]), steps, seed);
    }

    private static Map<String, NDArray> copies(Map<String, NDArray> arrays) {
        Map<String, NDArray> copies = new LinkedHashMap<>();
        arrays.forEach((name, array) -> copies.put(name, array.astype(dev.descent.core.DType.FLOAT64).copy()));
        return copies;
    }

    private static String topThree(double[] ritz) {
        StringBuilder text = new StringBuilder();
        for (int i = ritz.length - 1; i >= Math.max(0, ritz.length - 3); i--) {
            text.append(text.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4g", ritz[i]));
        }
        return text.toString();
    }

    static String readInterpolation(List<Map<String, Object>> networks) {
        StringBuilder text = new StringBuilder("Along the straight line from the initial weights (alpha = 0) to the trained ones (alpha = 1): ");
        for (Map<String, Object> network : networks) {
            double[] losses = (double[]) network.get("interpolation");
            boolean monotone = true;
            for (int i = 11; i <= 30; i++) {
                monotone &= losses[i] <= losses[i - 1] + 1e-9;
            }
            text.append(String.format(Locale.ROOT, "%s goes from %.4f to %.4f%s. ", network.get("network"), losses[10], losses[30],
                    monotone ? ", falling all the way" : ", not monotonically"));
        }
        return text.append("Goodfellow, Vinyals and Saxe found such lines mostly free of bumps for networks of this kind: between start"
                + " and end there is no barrier the optimizer had to cross. Beyond alpha = 1 the loss rises again: the final weights sit"
                + " in a basin along this line.").toString();
    }
}
