package dev.descent.examples;

import dev.descent.autograd.GraphExport;
import dev.descent.autograd.Tensor;
import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.cuda.CudaMemory;
import dev.descent.data.Compose;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.FashionMnist;
import dev.descent.data.Mnist;
import dev.descent.data.RandomAffine;
import dev.descent.data.RandomHorizontalFlip;
import dev.descent.data.Subset;
import dev.descent.data.TensorDataset;
import dev.descent.data.ToTensor;
import dev.descent.data.Transform;
import dev.descent.nn.Losses;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.schedule.CosineAnnealingLR;
import dev.descent.optim.schedule.LRScheduler;
import dev.descent.optim.schedule.LinearLR;
import dev.descent.optim.schedule.MultiStepLR;
import dev.descent.optim.schedule.SequentialLR;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** {@code descent mnist}: trains MLP-BN on MNIST or Fashion-MNIST and writes weights, metrics and a report. */
final class MnistCommand {
    static final String[] DIGITS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    /**
     * L-BFGS on minibatches as practitioners run it: a short history (100 pairs of MLP-BN's
     * 537,354 parameters would need 0.86 GB), a few iterations per batch, and a line search to
     * choose each step's length.
     */
    static final String MINIBATCH_LBFGS = "lbfgs:historySize=10,maxIter=4,lineSearch=strong_wolfe";
    /** SGD has no default learning rate (as in PyTorch); 0.1 suits MLP-BN, whose batch norm keeps the steps in scale. */
    static final String SGD_RATE = "sgd:lr=0.1";
    /**
     * Hessian-free Newton on minibatches with a short conjugate-gradient budget per batch, as
     * Martens truncates it: each product costs about two backward passes.
     */
    static final String MINIBATCH_NEWTON_CG = "newtoncg:maxCgIterations=10";
    /**
     * The least-squares methods on minibatches, Hessian-free: one damped trial step per batch, its
     * system solved by ten conjugate-gradient iterations on J&#x1D40;J (the Jacobian of MLP-BN's residuals
     * over a batch of 128, 1,280 x 537,354, is never formed; on any softmax model it is rank deficient, which the
     * minimum-norm step of solver=cg handles and QR does not), the damping
     * carried from batch to batch as Martens' Hessian-free optimization carries it.
     */
    /** Newton on minibatches takes half steps: a batch's Hessian and gradient are noisy estimates, and the full step fits the batch. */
    static final String MINIBATCH_NEWTON = "newton:lr=0.5";
    /** The batch of the methods that form a dense matrix (bfgs, newton), where the flags leave it out: their curvature wants large batches. */
    static final int DENSE_METHOD_BATCH = 1000;
    static final List<String> MINIBATCH_LEAST_SQUARES = List.of("gaussnewton:maxIter=1,solver=cg,maxCgIterations=10",
            "levenberg:maxIter=1,solver=cg,maxCgIterations=10,geodesicAcceleration=false",
            "levenbergmarquardt:maxIter=1,solver=cg,maxCgIterations=10,geodesicAcceleration=false");

    private MnistCommand() {
    }

    static CommandLine flags() {
        return new CommandLine("mnist", "Trains a model (by default MLP-BN: 784-512-256-10 with batch norm and dropout) on MNIST and writes weights, metrics"
                + " and report.html.")
                .flag("epochs", "5", "number of passes over the training set")
                .flag("batch", "128", "samples per step")
                .flag("optimizer", "adam", "NAME[:key=value,...], e.g. sgd:lr=0.05,momentum=0.9; names: " + String.join(", ", Optimizers.names())
                        + ". Every one steps through a closure; sgd takes lr=0.1, lbfgs runs on each batch as " + MINIBATCH_LBFGS
                        + ", newtoncg as " + MINIBATCH_NEWTON_CG + ", and gaussnewton, levenberg and levenbergmarquardt Hessian-free with one"
                        + " damped step of ten conjugate-gradient iterations per batch (maxIter=1,solver=cg,maxCgIterations=10), minimizing the softmax"
                        + " residuals (the Brier score) rather than cross-entropy, unless the spec says otherwise (larger batches suit them:"
                        + " --batch 1000); bfgs and newton form a dense n x n matrix of the n parameters, so they train the 500-parameter"
                        + " pooled-linear model on batches of " + DENSE_METHOD_BATCH + " unless --model and --batch say otherwise, newton as "
                        + MINIBATCH_NEWTON)
                .flag("model", MnistModels.DEFAULT, "mlp-bn (" + MnistModels.describe("mlp-bn") + "), linear (" + MnistModels.describe("linear")
                        + "), pooled-linear (" + MnistModels.describe("pooled-linear") + ") or cnn (" + MnistModels.describe("cnn")
                        + "); pooled-linear is the default for the"
                        + " optimizers that form a dense matrix of all parameters (bfgs, newton)")
                .flag("width", null, "mlp-bn: every hidden layer this wide (default: 512, then each layer half the last, to 32)")
                .flag("depth", null, "mlp-bn: the number of hidden layers (default 2; 0 is softmax regression)")
                .toggle("no-batchnorm", "mlp-bn: no batch norm after the hidden layers")
                .flag("dropout", "0.2", "mlp-bn: the dropout probability after each hidden layer's activation (0: none)")
                .flag("activation", "relu", "mlp-bn: relu, sigmoid or tanh after each hidden layer")
                .flag("init", "default", "mlp-bn: default (PyTorch's for Linear: uniform, bound 1/sqrt(fan-in)) or he (normal, std"
                        + " sqrt(2/fan-in)) for the hidden layers' weights")
                .flag("lr", null, "learning rate, overriding the optimizer's")
                .flag("batch-schedule", null, "FACTOR@EPOCH[,EPOCH...]: multiply the batch by FACTOR from each of these epochs (from 1),"
                        + " e.g. 5@3,5 (Smith et al. 2018: grow the batch where a step schedule would decay the rate)")
                .flag("schedule", "cosine", "learning-rate schedule over the run: cosine (annealed to 0 step by step), constant, or"
                        + " step:FACTOR@EPOCH[,EPOCH...] (divide the rate by FACTOR from each of these epochs, e.g. step:5@3,5); cosine or constant"
                        + " (constant for methods without a learning rate, such as newtoncg)")
                .flag("scale-lr", "none", "none, or linear: multiply the learning rate by batch / 128, the linear scaling rule of Goyal et al."
                        + " (2017) relative to the default batch")
                .flag("warmup-epochs", "0", "raise the learning rate linearly over this many epochs, step by step, from the rate of batch 128"
                        + " (with --scale-lr linear at a larger batch) or else a tenth of the rate, then follow --schedule over the rest")
                .flag("clip-grad-norm", null, "scale every step's gradients down to this global L2 norm when they exceed it (the report's"
                        + " gradient norms are those before clipping)")
                .flag("seed", "0", "seed of the weights, the data order, dropout and augmentation")
                .flag("threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "CPU threads for the kernels (with --workers N"
                        + " and no --threads: the cores / N)")
                .flag("workers", "1", "data-parallel replicas in this process (CPU): each trains on 1/N of the images with 1/N of --batch,"
                        + " their gradients averaged every step; replica 0 is checkpointed and reported")
                .toggle("augment", "random rotations, scaling and shifts of the training images")
                .flag("limit", "60000", "train on the first N training images (for quick runs)")
                .flag("dataset", "mnist", "mnist or fashion-mnist")
                .flag("device", "cpu", DeviceFlag.HELP)
                .flag("cuda-graph", "on", "on a GPU, capture the training step once as a CUDA graph and replay it (on or off)")
                .flag("out", "runs/mnist-<timestamp>", "directory for weights, config, metrics, report.html and the last epoch's checkpoint;"
                        + " the default is a new directory of its own (millisecond time and a random suffix), and a directory another"
                        + " run owns or holds results in is refused")
                .flag("json", null, "also write the run's summary as JSON to this file")
                .flag("config", null, "read flag values from a config.json written by an earlier run (command-line flags win;"
                        + " its " + String.join(", ", ConfigFile.IGNORED) + " are ignored: a repeated run writes where its own flags say)")
                .flag("resume", null, "continue the run in this directory from the checkpoint it writes after every epoch, with its saved"
                        + " flags (those that change the training must not differ; --epochs may be raised to train further)");
    }

    /** The validated settings of a run; {@code resume} is the checkpoint it continues from, or null. */
    record Settings(MnistModels.Spec model, int workers, int epochs, int batch, EpochMilestones batchSchedule, String optimizer, double lr, String schedule,
                    boolean scaleLr,
                    int warmupEpochs, double clipGradNorm, long seed, int threads, boolean augment, int limit,
                    String dataset, String device, boolean cudaGraph, RunDirectory out, Path json, Map<String, String> flags,
                    MnistCheckpoint.Saved resume) {
    }

    /** Every flag checked, and nothing created: warnings (threads capped to the cores) go to {@code err}. */
    static Settings settings(CommandLine line, PrintStream err) {
        MnistCheckpoint.Saved resume = line.string("resume") == null ? null : MnistResume.apply(line);
        if (line.string("config") != null) {
            line.defaults(ConfigFile.read("mnist", Path.of(line.string("config"))));
        }
        int epochs = line.integer("epochs", 1);
        int batch = line.integer("batch", 1);
        int threads = line.threads(err);
        long seed = (long) line.real("seed");
        double lr = line.string("lr") == null ? Double.NaN : line.real("lr");
        if (!Double.isNaN(lr) && !(lr > 0)) {
            throw new UsageException("mnist: --lr must be positive, got " + lr);
        }
        String optimizer = withCommandDefaults(line.string("optimizer"));
        Optimizer probe;
        try {
            probe = Optimizers.create(optimizer, List.of(Tensor.zeros(1).requiresGrad(true)), lr);
        } catch (IllegalArgumentException e) {
            throw new UsageException("mnist: --optimizer: " + e.getMessage());
        }
        boolean dense = probe.usesDenseMatrix();
        MnistModels.Spec model = model(line, dense);
        long parameters = model.parameterCount();
        double heap = Runtime.getRuntime().maxMemory();
        if (probe.denseMatrixBytes(parameters) > heap / 2) {
            throw new UsageException(String.format("mnist: --optimizer %s forms dense matrices of the %,d x %,d parameters of --model %s:"
                    + " %.3g GB, more than half the Java heap (%.3g GB); use --model %s (%s) or an optimizer that keeps vectors (lbfgs,"
                    + " newtoncg)", Optimizers.nameOf(optimizer), parameters, parameters, model.name(), probe.denseMatrixBytes(parameters) / 1e9,
                    heap / 1e9, MnistModels.FOR_DENSE_METHODS, MnistModels.describe(MnistModels.FOR_DENSE_METHODS)));
        }
        if (dense && !line.isSet("batch") && line.string("config") == null && resume == null) {
            batch = Math.min(DENSE_METHOD_BATCH, line.integer("limit", 1));
        }
        checkBatch("mnist", batch, line.integer("limit", 1));
        String schedule = line.string("schedule");
        if (schedule.startsWith("step:")) {
            EpochMilestones.parse("schedule", schedule.substring("step:".length()), epochs, false);
        } else {
            schedule = line.choice("schedule", "cosine", "constant");
        }
        if (!Optimizers.hyperparameters(Optimizers.nameOf(optimizer)).names().contains("lr")) {
            // Newton-CG and the least-squares methods set their own step lengths: there is no rate to anneal
            if (line.isSet("schedule") && !schedule.equals("constant")) {
                throw new UsageException("mnist: --schedule " + schedule + ": " + Optimizers.nameOf(optimizer) + " has no learning rate to"
                        + " schedule; use --schedule constant");
            }
            schedule = "constant";
        }
        EpochMilestones batchSchedule = line.string("batch-schedule") == null ? null
                : EpochMilestones.parse("batch-schedule", line.string("batch-schedule"), epochs, true);
        if (batchSchedule != null) {
            long largest = Math.round(batch * batchSchedule.multiplierAt(epochs));
            int images = Math.min(line.integer("limit", 1), 60_000);
            if (largest > images) {
                throw new UsageException("mnist: --batch-schedule " + batchSchedule + " grows the batch of " + batch + " to " + largest
                        + ", larger than the training set (" + images + " images)");
            }
        }
        int workers = line.integer("workers", 1);
        if (workers > 1) {
            int images = Math.min(line.integer("limit", 1), 60_000);
            if (workers > images) {
                throw new UsageException("mnist: --workers " + workers + " is more than the " + images + " training images");
            }
            if (batch % workers != 0) {
                throw new UsageException("mnist: --batch " + batch + " does not split evenly over --workers " + workers + "; use a multiple of "
                        + workers);
            }
            if (!line.string("device").equals("cpu")) {
                throw new UsageException("mnist: --workers " + workers + " runs replicas on the CPU; --device " + line.string("device")
                        + " takes one replica");
            }
            if (resume != null) {
                throw new UsageException("mnist: --resume continues one replica; a run with --workers " + workers + " keeps only replica 0's"
                        + " state");
            }
            if (!line.isSet("threads")) {
                // the replicas share the cores: N replicas on the whole pool each contend (1.4-1.6x slower epochs on 2 cores)
                threads = Math.max(1, threads / workers);
            }
        }
        boolean hasRate = Optimizers.hyperparameters(Optimizers.nameOf(optimizer)).names().contains("lr");
        boolean scaleLr = line.choice("scale-lr", "none", "linear").equals("linear");
        int warmupEpochs = line.integer("warmup-epochs", 0);
        if ((scaleLr || warmupEpochs > 0) && !hasRate) {
            throw new UsageException("mnist: --scale-lr and --warmup-epochs set a learning rate, and " + Optimizers.nameOf(optimizer)
                    + " has none");
        }
        if (warmupEpochs >= epochs) {
            throw new UsageException("mnist: --warmup-epochs " + warmupEpochs + " leaves nothing of the " + epochs + " epoch(s) to train at"
                    + " the full rate; it must be less than --epochs");
        }
        double clipGradNorm = line.string("clip-grad-norm") == null ? 0 : line.real("clip-grad-norm");
        if (line.string("clip-grad-norm") != null && !(clipGradNorm > 0 && Double.isFinite(clipGradNorm))) {
            throw new UsageException("mnist: --clip-grad-norm must be a positive number, got " + line.string("clip-grad-norm"));
        }
        if (clipGradNorm > 0 && probe.closureKind() != Optimizer.ClosureKind.LOSS) {
            throw new UsageException("mnist: --clip-grad-norm clips the gradient of a loss, and " + Optimizers.nameOf(optimizer)
                    + " fits residuals without one");
        }
        String dataset = line.choice("dataset", "mnist", "fashion-mnist");
        String device = line.string("device");
        DeviceFlag.parse("mnist", device);
        boolean cudaGraph = line.choice("cuda-graph", "on", "off").equals("on");
        RunDirectory out = resume != null ? RunDirectory.resume("mnist", Path.of(line.string("resume")))
                : RunDirectory.of("mnist", line.string("out"), line.isSet("out"), "mnist");
        Path json = line.string("json") == null ? null : Path.of(line.string("json"));
        if (json != null && line.string("json").isBlank()) {
            throw new UsageException("mnist: --json is empty; give a file for the summary, or leave --json out");
        }
        Map<String, String> flags = line.effective();
        flags.put("threads", Integer.toString(threads));
        flags.put("model", model.name());
        flags.put("batch", Integer.toString(batch));
        flags.remove("resume");   // the configuration of the run itself, wherever it was continued from
        return new Settings(model, workers, epochs, batch, batchSchedule, optimizer, lr, schedule, scaleLr, warmupEpochs, clipGradNorm, seed, threads, line.bool("augment"), line.integer("limit", 1), dataset, device, cudaGraph,
                out, json, flags, resume);
    }

    /**
     * The model the flags describe: --model's (pooled-linear by default for an optimizer that forms a
     * dense matrix), varied for mlp-bn by --width, --depth, --no-batchnorm and --dropout, which the
     * other models refuse.
     */
    static MnistModels.Spec model(CommandLine line, boolean dense) {
        String name = line.choice("model", MnistModels.NAMES.toArray(new String[0]));
        if (dense && !line.isSet("model") && name.equals(MnistModels.DEFAULT)) {
            name = MnistModels.FOR_DENSE_METHODS;
        }
        double dropout = line.real("dropout");
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UsageException("mnist: --dropout must be in [0, 1), got " + line.string("dropout"));
        }
        // set on the command line or by --config / --resume, whose values come in as defaults
        String activation = line.choice("activation", MnistModels.ACTIVATIONS.toArray(new String[0]));
        boolean heInit = line.choice("init", "default", "he").equals("he");
        boolean varied = line.string("width") != null || line.string("depth") != null || line.bool("no-batchnorm") || dropout != 0.2
                || !activation.equals("relu") || heInit;
        if (!name.equals("mlp-bn")) {
            if (varied) {
                throw new UsageException("mnist: --width, --depth, --no-batchnorm, --dropout, --activation and --init vary --model mlp-bn,"
                        + " not " + name);
            }
            return MnistModels.named(name);
        }
        Integer width = line.string("width") != null ? line.integer("width", 1) : null;
        Integer depth = line.string("depth") != null ? line.integer("depth", 0) : null;
        return MnistModels.mlp(width, depth, !line.bool("no-batchnorm"), dropout).with(activation, heInit);
    }

    /** {@code spec} with the commands' own defaults (SGD's learning rate, the minibatch forms of the second-order methods) where it leaves them out. */
    static String withCommandDefaults(String spec) {
        String result = spec;
        for (String defaults : List.of(MINIBATCH_LBFGS, SGD_RATE, MINIBATCH_NEWTON_CG, MINIBATCH_NEWTON)) {
            result = Optimizers.withDefaults(result, defaults);
        }
        for (String defaults : MINIBATCH_LEAST_SQUARES) {
            result = Optimizers.withDefaults(result, defaults);
        }
        return result;
    }

    /** MNIST and Fashion-MNIST have 60,000 training images: a batch beyond the set (or its --limit) cannot be filled. */
    static void checkBatch(String command, int batch, int limit) {
        int images = Math.min(limit, 60_000);
        if (batch > images) {
            throw new UsageException(command + ": --batch " + batch + " is larger than the training set (" + images + " images"
                    + (limit < 60_000 ? " with --limit " + limit : "") + ")");
        }
    }

    static int run(List<String> args, PrintStream out, PrintStream err, boolean terminal) throws IOException {
        return run(args, out, err, terminal, epoch -> { });
    }

    /** The command, warnings on the standard error, telling {@code afterCheckpoint} each epoch whose checkpoint is written. */
    static int run(List<String> args, PrintStream out, boolean terminal, IntConsumer afterCheckpoint) throws IOException {
        return run(args, out, System.err, terminal, afterCheckpoint);
    }

    /**
     * The command, telling {@code afterCheckpoint} each epoch whose checkpoint is written (tests interrupt a run there). The
     * flags are all checked first; the run directory is created only when the first epoch's files are written, so bad usage,
     * unreadable data or a run that fails in its first epoch leave none.
     */
    static int run(List<String> args, PrintStream out, PrintStream err, boolean terminal, IntConsumer afterCheckpoint) throws IOException {
        CommandLine line = flags().parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        Settings s = settings(line, err);
        try {
            return train(s, out, terminal, afterCheckpoint);
        } catch (IOException | RuntimeException e) {
            s.out().failed(e);   // what the run left says that it failed
            throw e;
        }
    }

    private static int train(Settings s, PrintStream out, boolean terminal, IntConsumer afterCheckpoint) throws IOException {
        Device device = DeviceFlag.parse("mnist", s.device());
        boolean onGpu = !device.equals(Device.CPU);
        Descent.setNumThreads(s.threads());
        boolean fashion = s.dataset().equals("fashion-mnist");
        out.printf("descent mnist: %s, %s, %s, %s schedule, batch %s, %d epoch(s), seed %d, %d thread(s)%s%s%n", (fashion ? "Fashion-MNIST" : "MNIST")
                + (s.limit() < 60000 ? " (first " + s.limit() + " training images)" : ""), s.model().describe(),
                s.optimizer() + (Double.isNaN(s.lr()) ? "" : " lr=" + s.lr()), s.schedule(), s.batch() + (s.batchSchedule() == null ? "" : " (x" + s.batchSchedule().toString().replace("@", " from epoch ") + ")"),
                s.epochs(), s.seed(), s.threads(),
                s.augment() ? ", augmented" : "", Descent.simdKernels() ? "" : " (plain-Java kernels: run with --add-modules"
                        + " jdk.incubator.vector for the SIMD ones)");
        Mnist trainSet = fashion ? FashionMnist.train() : Mnist.train();
        Mnist testSet = fashion ? FashionMnist.test() : Mnist.test();
        String[] classes = fashion ? FashionMnist.CLASSES : DIGITS;
        Transform prepare = MnistPreprocessing.prepare(fashion);
        Generator augmentation = new Generator(s.seed() + 2);
        Transform augment = fashion
                ? new Compose(new RandomHorizontalFlip(0.5, augmentation), new RandomAffine(8, 2, 0.9, 1.1, augmentation))
                : new RandomAffine(10, 2, 0.9, 1.1, augmentation);
        Dataset train;
        Dataset test;
        if (onGpu) {
            out.println("device: " + Device.cudaStatus());
            // the MLP's prepared images live on the device, a batch one gather there; the CNN's step is long
            // enough to prepare its batch on the host, which keeps the 188 MB of float images off the heap
            train = s.augment() ? trainSet.map(new Compose(new ToTensor(), augment, MnistPreprocessing.normalize(fashion)))
                    : s.model().preparesImagesPerBatch() ? trainSet.mapBatches(prepare) : DeviceFlag.stage(trainSet.toTensorDataset(prepare), device);
            test = DeviceFlag.stage(testSet.toTensorDataset(prepare), device);
        } else {
            // kept as bytes and prepared a batch at a time: the same values as a prepared float copy of the
            // whole set (188 MB), which the heap then need not hold
            train = s.augment() ? trainSet.map(new Compose(new ToTensor(), augment, MnistPreprocessing.normalize(fashion)))
                    : trainSet.mapBatches(prepare);
            test = testSet.mapBatches(prepare);
        }
        if (s.limit() < train.size()) {
            train = new Subset(train, java.util.stream.IntStream.range(0, s.limit()).toArray());
        }

        Generator dropout = new Generator(s.seed() + 1);
        Sequential model = s.model().create(new Generator(s.seed()), dropout);
        model.to(device);   // before the optimizer, whose state is allocated beside the parameters
        Optimizer optimizer = Optimizers.create(s.optimizer(), model.parameters(), s.lr());
        DataLoader loader = new DataLoader(train, s.batch()).shuffle(new Generator(s.seed() + 3));   // replaced by replica 0's shard with --workers
        if (onGpu) {
            // a batch is one gather on the GPU: nothing to overlap with a second thread
            loader.prefetch(false);
        }
        // Annealing ends the run on a small learning rate, so the final weights are not one noisy
        // iterate of constant-rate Adam: the last epoch's accuracy then varies less from seed to seed.
        int workers = s.workers();
        int[] stepsPerEpoch = new int[s.epochs()];
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            int size = batchSize(s, epoch) / workers;
            int images = train.size() / workers;
            stepsPerEpoch[epoch] = (images + size - 1) / size;
        }
        Replicas replicas = workers > 1 ? Replicas.start(s, workers, train, device, stepsPerEpoch) : null;
        if (replicas != null) {
            loader = new DataLoader(replicas.firstShard(), s.batch() / workers).shuffle(new Generator(s.seed() + 3));
        }
        if (s.batchSchedule() != null) {
            loader.batchSizeSchedule(epoch -> batchSize(s, epoch) / workers);
        }
        LRScheduler scheduler = schedule(optimizer, s.schedule(), s.scaleLr() ? s.batch() / 128.0 : 1, s.warmupEpochs(), stepsPerEpoch);
        Trainer trainer = new Trainer(replicas != null ? replicas.wrapFirst(model) : model, optimizer, scheduler, device)
                .sameStartForEveryEvaluation(dropout);
        if (s.clipGradNorm() > 0) {
            trainer.clipGradNorm(s.clipGradNorm());
        }
        if (!onGpu || !s.cudaGraph()) {
            // every step's per-layer gradient norms: read back at each step, which a captured CUDA graph would not allow
            trainer.recordLayerGradientNorms();
        }
        if (!s.cudaGraph()) {
            trainer.eager();
        }
        DataLoader testLoader = new DataLoader(test, s.model().evaluationBatch()).prefetch(!onGpu);
        // before a restore: drawing the graph runs a training-mode forward, which moves dropout's generator and batch norm's statistics
        String graph = graphOf(model, test);

        RunHistory history = RunHistory.of(trainer);
        TrainingState state = new TrainingState(model, optimizer, scheduler, loader, dropout, augmentation, history);
        if (s.resume() != null) {
            MnistResume.restore(s.resume(), state, s.epochs(), out);
        }
        // the configuration first: a run killed at any point can be repeated with --config
        Path directory = s.out().create();
        s.flags().put("out", directory.toString());
        RunFiles.writeConfig(directory.resolve("config.json"), s.flags());
        String title = (fashion ? "Fashion-MNIST" : "MNIST") + ": " + s.model().describe() + " with " + s.optimizer();
        Interruption interruption = Interruption.watch(directory, history.epochs());
        Trainer.Evaluation evaluation = null;
        try {
            for (int epoch = history.epochs() + 1; epoch <= s.epochs(); epoch++) {
                Progress progress = new Progress(out, terminal, String.format("epoch %d/%d", epoch, s.epochs()));
                Trainer.EpochResult result;
                int stepsBefore = trainer.layerGradNorms.size();
                try {
                    DataLoader epochLoader = loader;
                    result = replicas != null ? replicas.epoch(() -> trainer.trainEpoch(epochLoader, progress::update))
                            : trainer.trainEpoch(loader, progress::update);
                } catch (TrainingDivergedException e) {
                    Report.Content content = new Report.Content(title, new LinkedHashMap<>(s.flags()), history, null, classes, List.of(),
                            List.of(), model.toString(), graph, e.getMessage());
                    AtomicFiles.write(directory.resolve("report.html"), Report.html(content));
                    throw e;
                }
                evaluation = trainer.evaluate(testLoader, classes.length);
                history.addEpoch(result, evaluation);
                history.addLayerNorms(trainer.layerNames, trainer.layerGradNorms.subList(stepsBefore, trainer.layerGradNorms.size()));
                out.printf("epoch %d/%d  train loss %.4f  train accuracy %.2f%%  test loss %.4f  test accuracy %.2f%%  %.1f s (%,.0f samples/s)%n",
                        epoch, s.epochs(), result.meanLoss(), 100 * result.accuracy(), evaluation.meanLoss(), 100 * evaluation.accuracy(),
                        result.seconds(), result.samples() / result.seconds());
                if (onGpu) {
                    // flat from epoch to epoch when nothing leaks: the caching allocator's own counters
                    out.println("  device memory: " + CudaMemory.statistics(device));
                }
                RunFiles.writeMetrics(directory, history);
                MnistCheckpoint.write(directory, epoch, s.flags(), state);
                interruption.checkpointed(epoch);
                afterCheckpoint.accept(epoch);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            interruption.close();
            if (replicas != null) {
                replicas.close();
            }
        }

        Path weights = directory.resolve("weights.safetensors");
        model.save(weights);
        RunFiles.writeConfig(directory.resolve("config.json"), s.flags());
        Report.Content content = new Report.Content(title, new LinkedHashMap<>(s.flags()), history, evaluation, classes,
                misclassified(testSet, evaluation.predictions(), classes), s.augment() ? augmentedSamples(trainSet, augment) : List.of(),
                model.toString(), graph, null);
        AtomicFiles.write(directory.resolve("report.html"), Report.html(content));
        double peakRss = RunFiles.peakRssMiB();
        if (s.json() != null) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("dataset", s.dataset());
            summary.put("model", s.model().name());
            summary.put("parameters", s.model().parameterCount());
            summary.put("epochSeconds", history.epochSeconds());
            summary.put("trainLoss", history.trainLoss());
            summary.put("testLoss", history.testLoss());
            summary.put("testAccuracy", history.testAccuracy());
            summary.put("threads", s.threads());
            summary.put("optimizer", s.optimizer());
            summary.put("schedule", s.schedule());
            summary.put("seed", s.seed());
            summary.put("batch", s.batch());
            summary.put("steps", history.stepLoss().size());
            summary.put("peakRssMiB", peakRss);
            summary.put("out", directory.toString());
            RunFiles.writeJson(s.json(), summary);
        }
        if (trainer.graphStatus() != null) {
            out.println(trainer.graphStatus());
        }
        trainer.close();
        if (trainer.activityPerStep() != null) {
            out.println("device activity " + trainer.activityPerStep() + " (training steps, metric reads included)");
        }
        out.printf("final test accuracy %.2f%%  median epoch %.1f s  peak memory %.0f MiB%n", 100 * history.testAccuracy().get(history.epochs() - 1),
                Report.median(Report.array(history.epochSeconds())), peakRss);
        out.println("wrote " + weights + ", config.json, metrics.jsonl, metrics.csv, report.html and the last epoch's checkpoint to " + directory
                + (s.json() != null ? "; summary " + s.json() : ""));
        return 0;
    }

    /** The batch of {@code epoch} (from 0): --batch, times --batch-schedule's factor for each of its epochs reached. */
    static int batchSize(Settings s, int epoch) {
        return s.batchSchedule() == null ? s.batch() : (int) Math.round(s.batch() * s.batchSchedule().multiplierAt(epoch + 1));
    }

    /**
     * The learning rate over the run, step by step: the optimizer's rate times {@code factor}
     * (batch / 128 for --scale-lr linear), warmed up linearly over the first {@code warmupEpochs}
     * (Goyal et al.: from the unscaled rate, or from a tenth without scaling), then {@code shape}
     * over the rest: cosine to 0, constant, or step:F@E,... (divided by F from each epoch E). Null
     * when the rate stays as the optimizer has it. {@code stepsPerEpoch} counts each epoch's steps,
     * which differ under a batch schedule.
     */
    static LRScheduler schedule(Optimizer optimizer, String shape, double factor, int warmupEpochs, int[] stepsPerEpoch) {
        for (ParamGroup group : optimizer.paramGroups()) {
            if (group.has("lr")) {
                group.setLr(group.lr() * factor);
            }
        }
        int[] stepsBefore = new int[stepsPerEpoch.length + 1];   // steps taken before each epoch (from 0) starts
        for (int epoch = 0; epoch < stepsPerEpoch.length; epoch++) {
            stepsBefore[epoch + 1] = stepsBefore[epoch] + stepsPerEpoch[epoch];
        }
        int warmupSteps = stepsBefore[warmupEpochs];
        LRScheduler main;
        if (shape.equals("cosine")) {
            main = new CosineAnnealingLR(optimizer, stepsBefore[stepsPerEpoch.length] - warmupSteps, 0);
        } else if (shape.startsWith("step:")) {
            EpochMilestones decay = EpochMilestones.parse("schedule", shape.substring("step:".length()), stepsPerEpoch.length, false);
            int[] milestones = new int[decay.epochs().length];
            for (int i = 0; i < milestones.length; i++) {
                milestones[i] = stepsBefore[decay.epochs()[i] - 1] - warmupSteps;
            }
            main = new MultiStepLR(optimizer, milestones, 1 / decay.factor());
        } else {
            main = null;
        }
        if (warmupSteps == 0) {
            return main;
        }
        LRScheduler warmup = new LinearLR(optimizer, factor > 1 ? 1 / factor : 0.1, 1, warmupSteps);
        LRScheduler rest = main != null ? main : new LinearLR(optimizer, 1, 1, 1);
        return new SequentialLR(optimizer, new LRScheduler[] {warmup, rest}, new int[] {warmupSteps});
    }

    /** The DOT export of one training step's graph, drawn as SVG. */
    static String graphOf(Sequential model, Dataset test) {
        NDArray[] batch = test.getBatch(new int[] {0, 1, 2, 3});
        Device device = model.parameters().get(0).device();
        Tensor loss = Losses.crossEntropy(model.forward(Tensor.of(batch[0].to(device))), Tensor.of(batch[1].to(device)));
        model.zeroGrad();
        return ModelGraph.svg(GraphExport.toDot(loss));
    }

    static List<DigitGrid.Tile> misclassified(Mnist test, int[] predictions, String[] classes) {
        List<DigitGrid.Tile> tiles = new ArrayList<>();
        for (int i = 0; i < predictions.length && tiles.size() < 40; i++) {
            int truth = test.label(i);
            if (predictions[i] != truth) {
                tiles.add(new DigitGrid.Tile(test.get(i)[0].toFloatArray(), 28, 28, classes[truth] + " \u2192 " + classes[predictions[i]]));
            }
        }
        return tiles;
    }

    static List<DigitGrid.Tile> augmentedSamples(Mnist train, Transform augment) {
        List<DigitGrid.Tile> tiles = new ArrayList<>();
        for (int image = 0; image < 6; image++) {
            NDArray original = new ToTensor().apply(train.get(image)[0]);
            tiles.add(new DigitGrid.Tile(original.toFloatArray(), 28, 28, "original"));
            for (int k = 0; k < 5; k++) {
                tiles.add(new DigitGrid.Tile(augment.apply(original).toFloatArray(), 28, 28, "augmented"));
            }
        }
        return tiles;
    }
}
