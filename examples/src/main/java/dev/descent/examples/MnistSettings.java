package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.schedule.LRScheduler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The validated settings of a {@code descent mnist} run and the flags they are read from: every flag
 * is checked here, before anything is created. {@code resume} is the checkpoint the run continues
 * from, or null; {@code flags} are the effective values, written to the run's config.json.
 */
record MnistSettings(MnistModels.Spec model, int workers, int epochs, int batch, EpochMilestones batchSchedule, String optimizer, double lr,
                     String schedule, boolean scaleLr, int warmupEpochs, double clipGradNorm, long seed, int threads, boolean augment,
                     int limit, String dataset, String device, boolean cudaGraph, RunDirectory out, Path json, Map<String, String> flags,
                     MnistCheckpoint.Saved resume) {
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
    /** Newton on minibatches takes half steps: a batch's Hessian and gradient are noisy estimates, and the full step fits the batch. */
    static final String MINIBATCH_NEWTON = "newton:lr=0.5";
    /** The batch of the methods that form a dense matrix (bfgs, newton), where the flags leave it out: their curvature wants large batches. */
    static final int DENSE_METHOD_BATCH = 1000;
    /**
     * The least-squares methods on minibatches, Hessian-free: one damped trial step per batch, its
     * system solved by ten conjugate-gradient iterations on J&#x1D40;J (the Jacobian of MLP-BN's residuals
     * over a batch of 128, 1,280 x 537,354, is never formed; on any softmax model it is rank deficient, which the
     * minimum-norm step of solver=cg handles and QR does not), the damping
     * carried from batch to batch as Martens' Hessian-free optimization carries it.
     */
    static final List<String> MINIBATCH_LEAST_SQUARES = List.of("gaussnewton:maxIter=1,solver=cg,maxCgIterations=10",
            "levenberg:maxIter=1,solver=cg,maxCgIterations=10,geodesicAcceleration=false",
            "levenbergmarquardt:maxIter=1,solver=cg,maxCgIterations=10,geodesicAcceleration=false");

    /** The command's flags, their defaults and help. */
    static CommandLine commandLine() {
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

    /** Every flag checked, and nothing created: warnings (threads capped to the cores) go to {@code err}. */
    static MnistSettings parse(CommandLine line, PrintStream err) {
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
        MnistModels.Spec model = modelOf(line, dense);
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
        return new MnistSettings(model, workers, epochs, batch, batchSchedule, optimizer, lr, schedule, scaleLr, warmupEpochs, clipGradNorm, seed, threads, line.bool("augment"), line.integer("limit", 1), dataset, device, cudaGraph,
                out, json, flags, resume);
    }

    /**
     * The model the flags describe: --model's (pooled-linear by default for an optimizer that forms a
     * dense matrix), varied for mlp-bn by --width, --depth, --no-batchnorm and --dropout, which the
     * other models refuse.
     */
    static MnistModels.Spec modelOf(CommandLine line, boolean dense) {
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

    /**
     * The run's learning-rate schedule for {@code optimizer}: --schedule after --warmup-epochs, the rate
     * scaled by batch / 128 under --scale-lr linear; null when the rate stays as the optimizer has it.
     */
    LRScheduler learningRateSchedule(Optimizer optimizer, int[] stepsPerEpoch) {
        return LearningRateSchedule.over(optimizer, schedule, scaleLr ? batch / 128.0 : 1, warmupEpochs, stepsPerEpoch);
    }

    /** The batch of {@code epoch} (from 0): --batch, times --batch-schedule's factor for each of its epochs reached. */
    int batchSize(int epoch) {
        return batchSchedule == null ? batch : (int) Math.round(batch * batchSchedule.multiplierAt(epoch + 1));
    }
}
