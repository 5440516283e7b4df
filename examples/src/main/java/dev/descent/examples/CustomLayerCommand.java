package dev.descent.examples;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.Mnist;
import dev.descent.data.Subset;
import dev.descent.data.Transform;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Module;
import dev.descent.nn.Parameter;
import dev.descent.nn.ReLU;
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
 *       {@link Function} with its own backward;</li>
 *   <li>with {@code --model cnn}, {@link ResidualBlock}, a convolutional block of library layers
 *       and a skip connection (He et al., 2016), in a small convolutional network.</li>
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

    /**
     * relu(x + bn2(conv2(relu(bn1(conv1(x)))))) with 3 x 3 convolutions that keep the channels and
     * the image size, so the input can be added back: the block learns a correction to its input.
     * Made of library layers registered as children, so its parameters, buffers, train/eval mode
     * and backward all come from them.
     */
    static final class ResidualBlock extends Module {
        private final Conv2d first;
        private final BatchNorm2d firstNorm;
        private final Conv2d second;
        private final BatchNorm2d secondNorm;

        ResidualBlock(int channels, DType dtype, Generator weights) {
            int[] three = {3, 3};
            int[] one = {1, 1};
            first = registerModule("conv1", new Conv2d(channels, channels, three, one, one, null, one, 1, false, dtype, weights));
            firstNorm = registerModule("bn1", new BatchNorm2d(channels, 1e-5, 0.1, true, true, dtype));
            second = registerModule("conv2", new Conv2d(channels, channels, three, one, one, null, one, 1, false, dtype, weights));
            secondNorm = registerModule("bn2", new BatchNorm2d(channels, 1e-5, 0.1, true, true, dtype));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor correction = secondNorm.forward(second.forward(firstNorm.forward(first.forward(x)).relu()));
            return x.add(correction).relu();
        }
    }

    /** The model {@code --model} names: an MLP with Maxout and LearnedSwish, or a CNN with a residual block. */
    static Sequential model(String name, Generator weights) {
        if (name.equals("cnn")) {
            Conv2d stem = new Conv2d(1, 16, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false, weights);
            return new Sequential(stem, new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),        // [N, 16, 14, 14]
                    new ResidualBlock(16, DType.FLOAT32, weights), new MaxPool2d(2),              // [N, 16, 7, 7]
                    new Flatten(), new Linear(16 * 7 * 7, 10, true, weights));
        }
        return new Sequential(new Flatten(), new Linear(784, 512, true, weights), new Maxout(2), new LearnedSwish(),
                new Linear(256, 10, true, weights));
    }

    static int run(List<String> args, PrintStream out, PrintStream err, boolean terminal) {
        CommandLine line = new CommandLine("custom-layer", "Trains a model built from two custom layers (Maxout, and Swish on a"
                + " hand-written Function), or with --model cnn a CNN with a custom residual block, on MNIST.")
                .flag("epochs", "1", "passes over the training set")
                .flag("threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "CPU threads")
                .flag("seed", "0", "seed of the weights and the data order")
                .flag("limit", "60000", "train on the first N training images (for quick runs)")
                .flag("device", "cpu", DeviceFlag.HELP)
                .flag("model", "mlp", "mlp (Maxout and LearnedSwish) or cnn (a convolutional network with a ResidualBlock)")
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
        String modelName = line.choice("model", "mlp", "cnn");
        Descent.setNumThreads(threads);
        boolean onGpu = !device.equals(Device.CPU);
        Generator weights = new Generator(seed);
        Sequential model = model(modelName, weights);
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
            Tensor beta = model.namedParameters().get("3.beta");
            out.printf("epoch %d/%d  train loss %.4f  test accuracy %.2f%%%s  %.1f s%n", epoch, epochs, result.meanLoss(),
                    100 * evaluation.accuracy(), beta == null ? "" : String.format("  learned beta %.3f", beta.item()), result.seconds());
        }
        return 0;
    }
}
