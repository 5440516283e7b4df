package dev.descent.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code descent spark-mnist}: trains MLP-BN on MNIST data-parallel on Apache Spark, one replica
 * per task of one barrier stage that lasts the whole run ({@link SparkReplicaJob}, each replica a
 * {@link SparkMnistReplica}). Every check that needs no cluster runs before Spark starts, so bad
 * usage costs no start-up and never hangs; a standalone master that does not answer is refused
 * within seconds; the barrier's rendezvous and every collective have a timeout.
 */
final class SparkMnistCommand {
    static final String NAME = "spark-mnist";
    /** A collective (or the barrier's rendezvous) that waits longer than this for a replica fails the stage. */
    static final Duration COLLECTIVE_TIMEOUT = Duration.ofMinutes(2);
    /** How long a cluster master may take to give the application its first executor. */
    static final Duration EXECUTOR_TIMEOUT = Duration.ofSeconds(60);

    private SparkMnistCommand() {
    }

    static CommandLine flags() {
        return new CommandLine(NAME, "Trains MLP-BN on MNIST data-parallel on Apache Spark: one replica per task of one barrier stage,"
                + " gradients averaged over TCP every step; rank 0 writes weights, metrics and a checkpoint after every epoch, from which"
                + " a stage Spark re-runs after a failure resumes.")
                .flag("master", System.getProperty("spark.master", "local[2]"), "Spark master: local[N] (N task slots in this JVM),"
                        + " local[N,F] (and F attempts per task), spark://host:port; spark-submit's --master when run through it")
                .flag("workers", null, "replicas, one barrier task each (all must run at once); default: a local master's N; required"
                        + " for a cluster master")
                .flag("epochs", "5", "number of passes over the training set")
                .flag("batch", "128", "global samples per step, split evenly over the replicas")
                .flag("lr", "0.001", "Adam's learning rate, annealed to 0 by a cosine schedule over the run")
                .flag("seed", "0", "seed of the weights, the data order and dropout")
                .flag("limit", "60000", "train on the first N training images (for quick runs)")
                .flag("threads-per-task", null, "CPU threads each replica's kernels use; default: the cores over the replicas for a"
                        + " local master, else 1 (match spark.task.cpus). The kernels' thread team is one per JVM: replicas that share an"
                        + " executor share it, and a kernel that finds it busy runs on its replica's own thread")
                .flag("out", "runs/spark-mnist-<timestamp>", "directory for weights, config, metrics and the checkpoints; on a cluster a"
                        + " path every executor shares (NFS, a mounted bucket)")
                .flag("json", null, "also write the run's summary as JSON to this file")
                .flag("fail-at-step", "0", "test hook: replica 1 throws once at this global step (from 1) in the stage's first attempt,"
                        + " so that Spark re-runs the stage and it resumes from the last checkpoint; 0: never");
    }

    /** Runs the command: 0 when training finished; bad usage is a {@link UsageException}, a failed run an exception. */
    static int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        CommandLine line = flags().parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        SparkMaster master = SparkMaster.parse(line.string("master"));
        int workers = workers(line, master);
        int epochs = line.integer("epochs", 1);
        int batch = line.integer("batch", 1);
        if (batch % workers != 0) {
            throw new UsageException(NAME + ": --batch " + batch + " does not split evenly over --workers " + workers + "; use a multiple of "
                    + workers);
        }
        int images = Math.min(line.integer("limit", 1), 60_000);
        if (workers > images) {
            throw new UsageException(NAME + ": --workers " + workers + " is more than the " + images + " training images");
        }
        double lr = line.real("lr");
        if (!(lr > 0)) {
            throw new UsageException(NAME + ": --lr must be positive, got " + lr);
        }
        long seed = (long) line.real("seed");
        int threads = line.string("threads-per-task") != null ? line.integer("threads-per-task", 1)
                : master.isLocal() ? Math.max(1, Runtime.getRuntime().availableProcessors() / workers) : 1;
        int perReplica = batch / workers;
        int stepsPerEpoch = (images / workers + perReplica - 1) / perReplica;
        int failAtStep = line.integer("fail-at-step", 0);
        if (failAtStep > 0 && workers < 2) {
            throw new UsageException(NAME + ": --fail-at-step fails replica 1, and --workers " + workers + " has none; use 2 or more");
        }
        if (failAtStep > stepsPerEpoch * epochs) {
            throw new UsageException(NAME + ": --fail-at-step " + failAtStep + " is past the run's last step (" + stepsPerEpoch * epochs
                    + " = " + epochs + " epoch(s) of " + stepsPerEpoch + ")");
        }
        Path json = line.string("json") == null ? null : Path.of(line.string("json"));
        RunDirectory directory = RunDirectory.of(NAME, line.string("out"), line.isSet("out"), NAME);
        master.checkReachable();

        Path run = directory.create().toAbsolutePath();
        Map<String, String> flags = new LinkedHashMap<>(line.effective());
        flags.put("workers", Integer.toString(workers));
        flags.put("threads-per-task", Integer.toString(threads));
        flags.put("out", run.toString());
        flags.remove("json");
        RunFiles.writeConfig(run.resolve("config.json"), flags);
        SparkMnistReplica.Settings settings = new SparkMnistReplica.Settings(workers, epochs, batch, lr, seed, images, threads, failAtStep,
                run.toString(), flags);
        out.printf("descent %s: MNIST%s, %s, adam lr=%s (cosine), global batch %d = %d replica(s) x %d, %d epoch(s) of %d steps, seed %d,"
                + " master %s, %d thread(s) per task%n", NAME, images < 60_000 ? " (first " + images + " training images)" : "",
                MnistModels.describe(MnistModels.DEFAULT), lr, batch, workers, perReplica, epochs, stepsPerEpoch, seed, master.url(), threads);
        try {
            List<SparkMnistReplica.Outcome> outcomes = train(master, workers, settings);
            report(outcomes.get(0), run, json, workers, out);
            return 0;
        } catch (RuntimeException e) {
            directory.failed(e);
            throw e;
        }
    }

    private static int workers(CommandLine line, SparkMaster master) {
        if (!line.isSet("workers") && !master.isLocal()) {
            throw new UsageException(NAME + ": --workers is needed with --master " + master.url() + ": the number of replicas, at most the"
                    + " task slots the cluster gives the application at once");
        }
        int workers = line.isSet("workers") ? line.integer("workers", 1) : master.localSlots();
        if (master.isLocal() && workers > master.localSlots()) {
            throw new UsageException(NAME + ": --workers " + workers + " needs " + workers + " task slots at once (a barrier stage starts"
                    + " all its tasks together), but --master " + master.url() + " has " + master.localSlots());
        }
        return workers;
    }

    /** Starts Spark, waits (bounded) for executors on a cluster, runs the barrier stage and stops Spark whatever happens. */
    private static List<SparkMnistReplica.Outcome> train(SparkMaster master, int workers, SparkMnistReplica.Settings settings) {
        try (JavaSparkContext spark = SparkContexts.start(master.url(), "descent " + NAME, COLLECTIVE_TIMEOUT)) {
            if (!master.isLocal()) {
                awaitExecutor(spark, master);
            }
            try {
                return SparkReplicaJob.run(spark, workers, COLLECTIVE_TIMEOUT, new SparkMnistReplica(settings));
            } catch (Exception e) {
                // Spark's SparkException is checked in Java's sense, though Scala declares nothing: catch it too
                throw new IllegalStateException(NAME + ": training failed: " + firstLine(e), e);
            }
        }
    }

    private static void awaitExecutor(JavaSparkContext spark, SparkMaster master) {
        long deadline = System.nanoTime() + EXECUTOR_TIMEOUT.toNanos();
        // the driver counts as one of the executors the tracker lists
        while (spark.sc().statusTracker().getExecutorInfos().length < 2) {
            if (System.nanoTime() > deadline) {
                throw new UsageException(NAME + ": --master " + master.url() + " gave this application no executor within "
                        + EXECUTOR_TIMEOUT.toSeconds() + " s; check that its workers are up and have free cores and memory");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(NAME + ": interrupted while waiting for executors", e);
            }
        }
    }

    /**
     * The innermost cause's first line: Spark's job failures wrap the task's exception in pages of
     * stack traces, and often carry it only as text, after the first line of their own message.
     */
    static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.toString();
        List<String> lines = message.lines().filter(text -> !text.isBlank() && !text.startsWith("\t")).limit(2).toList();
        String text = lines.isEmpty() ? root.toString() : lines.size() == 1 ? lines.get(0) : lines.get(1) + " (" + lines.get(0) + ")";
        return root == e ? text : text + " (" + e.getMessage().lines().findFirst().orElse("") + ")";
    }

    private static void report(SparkMnistReplica.Outcome rank0, Path run, Path json, int workers, PrintStream out) throws IOException {
        double[] accuracy = rank0.testAccuracy();
        double[] seconds = rank0.epochSeconds();
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted.length == 0 ? Double.NaN : sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        for (int e = 0; e < accuracy.length; e++) {
            out.printf("epoch %d  train loss %.4f (rank 0's shard)  test loss %.4f  test accuracy %.2f%%  %.1f s%n", e + 1,
                    rank0.trainLoss()[e], rank0.testLoss()[e], 100 * accuracy[e], seconds[e]);
        }
        out.printf("final test accuracy %.2f%%  median epoch %.1f s  finished in stage attempt %d%s%n", 100 * accuracy[accuracy.length - 1],
                median, rank0.stageAttempt(), rank0.resumedAfterEpoch() > 0 ? " (resumed after epoch " + rank0.resumedAfterEpoch() + ")" : "");
        out.println("wrote weights.safetensors, config.json, metrics.jsonl, metrics.csv and the last epoch's checkpoint to " + run);
        if (json != null) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("workers", workers);
            summary.put("testAccuracy", accuracy);
            summary.put("testLoss", rank0.testLoss());
            summary.put("trainLoss", rank0.trainLoss());
            summary.put("epochSeconds", seconds);
            summary.put("stageAttempt", rank0.stageAttempt());
            summary.put("resumedAfterEpoch", rank0.resumedAfterEpoch());
            summary.put("out", run.toString());
            RunFiles.writeJson(json, summary);
        }
    }
}
