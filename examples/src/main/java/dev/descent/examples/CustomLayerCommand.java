package dev.descent.examples;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.Tensor;
import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.Mnist;
import dev.descent.data.Subset;
import dev.descent.data.Transform;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Parameter;
import dev.descent.nn.Sequential;
import dev.descent.optim.firstorder.Adam;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code descent custom-layer}: how to extend Descent. Two layers of our own, then a model that
 * uses them trains on MNIST like any other:
 * <ul>
 *   <li>{@link Maxout}, composed from tensor operations (its backward comes for free), and</li>
 *   <li>{@link LearnedSwish}, x * sigmoid(beta x) with a trained beta, on a hand-written
 *       {@link Function} with its own backward.</li>
 * </ul>
 */
final class CustomLayerCommand {
    private CustomLayerCommand() {
    }

    /** Maxout (Goodfellow et al., 2013): the largest of each group of {@code pieces} consecutive features. */
    static final class Maxout extends Module {
        private final int pieces;

        Maxout(int pieces) {
            this.pieces = pieces;
        }

        @Override
        public Tensor forward(Tensor x) {
            int features = x.shape(-1);
            return x.reshape(x.shape(0), features / pieces, pieces).max(new int[] {2}, false);
        }

        @Override
        protected String describe() {
            return "pieces=" + pieces;
        }
    }

    /** y = x sigmoid(beta x); dy/dx = s + beta x s (1 - s) and dy/dbeta = x^2 s (1 - s), with s = sigmoid(beta x). */
    static final class SwishFunction extends Function {
        @Override
        protected NDArray forward(Context ctx, NDArray... in) {
            ctx.save(in[0], in[1]);
            return in[0].mul(in[0].mul(in[1]).sigmoid());
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor gradOutput) {
            Tensor x = ctx.saved(0);
            Tensor beta = ctx.saved(1);
            Tensor s = x.mul(beta).sigmoid();
            Tensor slope = s.mul(s.neg().add(1));
            return new Tensor[] {gradOutput.mul(s.add(x.mul(beta).mul(slope))), gradOutput.mul(x.square().mul(slope)).sum().reshape(1)};
        }
    }

    /** A layer on the hand-written Function, with beta as a trained parameter. */
    static final class LearnedSwish extends Module {
        private final Parameter beta = registerParameter("beta", new Parameter(NDArray.ones(1)));

        @Override
        public Tensor forward(Tensor x) {
            return new SwishFunction().apply(x, beta);
        }
    }

    static int run(List<String> args, PrintStream out, PrintStream err, boolean terminal) {
        CommandLine line = new CommandLine("custom-layer", "Trains a model built from two custom layers (Maxout, and Swish on a"
                + " hand-written Function) on MNIST.")
                .flag("epochs", "1", "passes over the training set")
                .flag("threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "CPU threads")
                .flag("seed", "0", "seed of the weights and the data order")
                .flag("limit", "60000", "train on the first N training images (for quick runs)")
                .flag("device", "cpu", DeviceFlag.HELP)
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        int epochs = line.integer("epochs", 1);
        int threads = line.threads(err);
        long seed = (long) line.real("seed");
        int limit = line.integer("limit", 1);
        Device device = DeviceFlag.parse("custom-layer", line.string("device"));
        Descent.setNumThreads(threads);
        boolean onGpu = !device.equals(Device.CPU);
        Generator weights = new Generator(seed);
        Sequential model = new Sequential(new Flatten(), new Linear(784, 512, true, weights), new Maxout(2), new LearnedSwish(),
                new Linear(256, 10, true, weights));
        out.println(model);
        model.to(device);   // before the optimizer, whose state is made beside the parameters
        Transform prepare = MnistPreprocessing.prepare(false);
        Dataset train = DeviceFlag.stage(Mnist.train().toTensorDataset(prepare), device);
        if (limit < train.size()) {
            train = new Subset(train, IntStream.range(0, limit).toArray());
        }
        Dataset test = DeviceFlag.stage(Mnist.test().toTensorDataset(prepare), device);
        Trainer trainer = new Trainer(model, new Adam(model.parameters(), Adam.options().lr(1e-3)), null, device);
        DataLoader loader = new DataLoader(train, 128).shuffle(new Generator(seed + 3)).prefetch(!onGpu);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Progress progress = new Progress(out, terminal, "epoch " + epoch + "/" + epochs);
            Trainer.EpochResult result = trainer.trainEpoch(loader, progress::update);
            Trainer.Evaluation evaluation = trainer.evaluate(new DataLoader(test, 1000).prefetch(!onGpu), 10);
            out.printf("epoch %d/%d  train loss %.4f  test accuracy %.2f%%  learned beta %.3f  %.1f s%n", epoch, epochs, result.meanLoss(),
                    100 * evaluation.accuracy(), model.namedParameters().get("3.beta").item(), result.seconds());
        }
        return 0;
    }
}
