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
import dev.descent.data.ToTensor;
import dev.descent.data.Transform;
import dev.descent.nn.Losses;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.schedule.LRScheduler;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** {@code descent mnist}: trains MLP-BN on MNIST or Fashion-MNIST and writes weights, metrics and a report. */
final class MnistCommand {
    static final String[] DIGITS = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

    private MnistCommand() {
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
        CommandLine line = MnistSettings.commandLine().parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        MnistSettings s = MnistSettings.parse(line, err);
        try {
            return train(s, out, terminal, afterCheckpoint);
        } catch (IOException | RuntimeException e) {
            s.out().failed(e);   // what the run left says that it failed
            throw e;
        }
    }

    private static int train(MnistSettings s, PrintStream out, boolean terminal, IntConsumer afterCheckpoint) throws IOException {
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
        if (onGpu) {
            out.println("device: " + Device.cudaStatus());
        }
        Dataset train;
        if (s.augment()) {
            train = trainSet.map(new Compose(new ToTensor(), augment, MnistPreprocessing.normalize(fashion)));
        } else if (onGpu && !s.model().preparesImagesPerBatch()) {
            // the MLP's prepared images live on the device, a batch one gather there
            train = DeviceFlag.stage(trainSet.toTensorDataset(prepare), device);
        } else {
            // kept as bytes and prepared a batch at a time: the same values as a prepared float copy of the whole set
            // (188 MB), which the heap then need not hold (on a GPU, the CNN's step is long enough to hide the preparing)
            train = trainSet.mapBatches(prepare);
        }
        Dataset test = onGpu ? DeviceFlag.stage(testSet.toTensorDataset(prepare), device) : testSet.mapBatches(prepare);
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
            int size = s.batchSize(epoch) / workers;
            int images = train.size() / workers;
            stepsPerEpoch[epoch] = (images + size - 1) / size;
        }
        Replicas replicas = workers > 1 ? Replicas.start(s, workers, train, device, stepsPerEpoch) : null;
        if (replicas != null) {
            loader = new DataLoader(replicas.firstShard(), s.batch() / workers).shuffle(new Generator(s.seed() + 3));
        }
        if (s.batchSchedule() != null) {
            loader.batchSizeSchedule(epoch -> s.batchSize(epoch) / workers);
        }
        LRScheduler scheduler = s.learningRateSchedule(optimizer, stepsPerEpoch);
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
            RunFiles.writeJson(s.json(), summary(s, history, peakRss, directory));
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



    /** The run's summary for --json: its configuration, the metrics of every epoch and the peak memory. */
    private static Map<String, Object> summary(MnistSettings s, RunHistory history, double peakRss, Path directory) {
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
        return summary;
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
