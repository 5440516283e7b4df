package dev.descent.examples;

import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.Mnist;
import dev.descent.data.TensorDataset;
import dev.descent.distributed.DistributedDataParallel;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.schedule.LRScheduler;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;

/**
 * One replica of {@code descent spark-mnist}, as a Spark barrier task runs it: MLP-BN with Adam and
 * a cosine schedule on its shard of MNIST (image i to replica i mod N) with 1/N of the global
 * batch, wrapped in {@link DistributedDataParallel} over the stage's TCP group, so every replica
 * takes the step of the global batch.
 * <p>
 * Rank 0 evaluates on the test set after every epoch and writes the metrics and a checkpoint
 * ({@link MnistCheckpoint}: atomic, the older one removed after); at the end the weights and the
 * configuration. Every replica starts by loading the newest complete checkpoint in the output
 * directory, if any, so a stage that Spark re-runs after a failure loses at most the epoch it
 * was in. The replicas' own randomness (their shard's order, their dropout masks) is drawn afresh
 * at every epoch from (seed, rank, epoch), so a resumed epoch is the epoch an unfailed run trains;
 * only the other replicas' batch-norm running statistics, which nothing reads (rank 0 evaluates),
 * restart from rank 0's.
 */
final class SparkMnistReplica implements SparkReplicaJob.Work<SparkMnistReplica.Outcome> {
    private static final long serialVersionUID = 1L;
    /** Separates the seeds of replicas and of epochs: rank r, epoch e draws from seed + RANK_STRIDE r + EPOCH_STRIDE e. */
    private static final long RANK_STRIDE = 1000;
    private static final long EPOCH_STRIDE = 1_000_003;

    /** The run, as the driver checked it; {@code out} is absolute, on a file system every executor shares. */
    record Settings(int workers, int epochs, int batch, double lr, long seed, int limit, int threadsPerTask, int failAtStep, String out,
                    Map<String, String> flags) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** What a replica reports to the driver: the attempt it finished in, the epoch it resumed after (0: none), and rank 0's metrics. */
    record Outcome(int rank, int stageAttempt, int resumedAfterEpoch, double[] testAccuracy, double[] testLoss, double[] trainLoss,
                   double[] epochSeconds) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The failure {@code --fail-at-step} injects, to test the re-run of the stage. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }

    private final Settings s;

    SparkMnistReplica(Settings settings) {
        this.s = settings;
    }

    @Override
    public Outcome run(SparkReplicaJob.Replica replica) throws IOException {
        int rank = replica.rank();
        int world = replica.worldSize();
        if (world != s.workers()) {
            throw new IllegalStateException("spark-mnist: the barrier stage has " + world + " tasks, expected --workers " + s.workers());
        }
        announce(replica);
        Descent.setNumThreads(s.threadsPerTask());
        Path out = Path.of(s.out());
        Dataset shard = shard(rank, world);
        Dataset test = Mnist.test().toTensorDataset(MnistPreprocessing.prepare(false));

        Generator dropout = new Generator(s.seed() + 1 + RANK_STRIDE * rank);
        Sequential model = MnistModels.named(MnistModels.DEFAULT).create(new Generator(s.seed() + RANK_STRIDE * rank), dropout);
        Optimizer optimizer = Optimizers.create(MnistSettings.withCommandDefaults("adam"), model.parameters(), s.lr());
        Generator shuffle = new Generator(s.seed() + 3 + RANK_STRIDE * rank);
        DataLoader loader = new DataLoader(shard, s.batch() / world).shuffle(shuffle);
        int[] stepsPerEpoch = new int[s.epochs()];
        Arrays.fill(stepsPerEpoch, loader.batchesPerEpoch());
        LRScheduler scheduler = LearningRateSchedule.over(optimizer, "cosine", 1, 0, stepsPerEpoch);
        try (DistributedDataParallel wrapped = new DistributedDataParallel(model, replica.group())) {
            Trainer trainer = new Trainer(wrapped, optimizer, scheduler, Device.CPU).sameStartForEveryEvaluation(dropout);
            RunHistory history = RunHistory.of(trainer);
            TrainingState state = new TrainingState(model, optimizer, scheduler, loader, dropout, new Generator(s.seed() + 2), history);
            int resumedAfter = resume(out, state, replica);
            DataLoader testLoader = new DataLoader(test, 1000).prefetch(false);
            for (int epoch = resumedAfter + 1; epoch <= s.epochs(); epoch++) {
                // this epoch's randomness from (seed, rank, epoch): a re-run epoch draws what the failed one drew
                loader.setState(new DataLoader.State(epoch - 1, new Generator(s.seed() + 3 + RANK_STRIDE * rank + EPOCH_STRIDE * epoch).state()));
                dropout.setState(new Generator(s.seed() + 1 + RANK_STRIDE * rank + EPOCH_STRIDE * epoch).state());
                int stepsBefore = (epoch - 1) * stepsPerEpoch[0];
                Trainer.EpochResult result = trainer.trainEpoch(loader, (step, steps, loss, samples) -> {
                    checkStep(replica, stepsBefore + step);
                });
                if (rank == 0) {
                    Trainer.Evaluation evaluation = trainer.evaluate(testLoader, 10);
                    history.addEpoch(result, evaluation);
                    System.out.printf("spark-mnist: epoch %d/%d  train loss %.4f (rank 0's shard)  test accuracy %.2f%%  %.1f s (%,.0f samples/s"
                            + " over %d replicas)%n", epoch, s.epochs(), result.meanLoss(), 100 * evaluation.accuracy(), result.seconds(),
                            world * result.samples() / result.seconds(), world);
                    RunFiles.writeMetrics(out, history);
                    MnistCheckpoint.write(out, epoch, s.flags(), state);
                }
            }
            if (rank != 0) {
                return new Outcome(rank, replica.stageAttempt(), resumedAfter, new double[0], new double[0], new double[0], new double[0]);
            }
            model.save(out.resolve("weights.safetensors"));
            RunFiles.writeConfig(out.resolve("config.json"), s.flags());
            Map<String, List<Double>> lists = history.toMap();
            return new Outcome(0, replica.stageAttempt(), resumedAfter, doubles(lists.get("testAccuracy")), doubles(lists.get("testLoss")),
                    doubles(lists.get("trainLoss")), doubles(lists.get("epochSeconds")));
        }
    }

    /**
     * On a cluster, one line in the executor's own standard output (the worker's log of it) naming
     * the replica, its executor and its JVM, so that a log shows where each replica ran; a local
     * master's replicas share the driver's JVM and print nothing.
     */
    private static void announce(SparkReplicaJob.Replica replica) {
        SparkEnv env = SparkEnv.get();
        String executor = env != null ? env.executorId() : "driver";
        if (!"driver".equals(executor)) {   // Spark's id of the driver's own executor (local masters)
            System.out.printf("spark-mnist: replica %d of %d (stage attempt %d) in executor %s, process %d on %s%n", replica.rank(),
                    replica.worldSize(), replica.stageAttempt(), executor, ProcessHandle.current().pid(),
                    env.blockManager().blockManagerId().host());
        }
    }

    /** This replica's images: i * N + rank for i below limit / N, gathered into arrays of their own (the full set is then dropped). */
    private Dataset shard(int rank, int world) {
        TensorDataset all = Mnist.train().toTensorDataset(MnistPreprocessing.prepare(false));
        int images = Math.min(s.limit(), all.size()) / world;
        int[] indices = new int[images];
        for (int i = 0; i < images; i++) {
            indices[i] = i * world + rank;
        }
        NDArray[] arrays = all.getBatch(indices);
        return new TensorDataset(arrays[0], arrays[1]);
    }

    /** Loads the newest complete checkpoint into {@code state} and returns its epoch, or 0 when the run has none yet. */
    private int resume(Path out, TrainingState state, SparkReplicaJob.Replica replica) throws IOException {
        MnistCheckpoint.Saved saved = MnistCheckpoint.latest(out);
        if (saved == null) {
            if (replica.stageAttempt() > 0 && replica.rank() == 0) {
                System.out.printf("spark-mnist: stage attempt %d: no checkpoint in %s yet, starting over%n", replica.stageAttempt(), out);
            }
            return 0;
        }
        Map<String, String> expected = new LinkedHashMap<>(s.flags());
        if (!saved.config().equals(expected)) {
            throw new IllegalStateException("spark-mnist: the checkpoint " + saved.directory() + " was written by another configuration ("
                    + saved.config() + ", this run " + expected + ")");
        }
        saved.restore(state);
        if (replica.rank() == 0) {
            System.out.printf("spark-mnist: stage attempt %d resumes from %s (after epoch %d)%n", replica.stageAttempt(), saved.directory(),
                    saved.epoch());
        }
        return saved.epoch();
    }

    /** After every step: stop when Spark has killed this task, and inject {@code --fail-at-step}'s failure in the first attempt. */
    private void checkStep(SparkReplicaJob.Replica replica, int globalStep) {
        if (replica.context().isInterrupted()) {
            throw new IllegalStateException("spark-mnist: replica " + replica.rank() + " was killed by Spark at step " + globalStep);
        }
        if (s.failAtStep() == globalStep && replica.rank() == 1 && replica.stageAttempt() == 0) {
            throw new InjectedFailure("spark-mnist: --fail-at-step " + globalStep + ": replica 1 fails on purpose in stage attempt 0");
        }
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
