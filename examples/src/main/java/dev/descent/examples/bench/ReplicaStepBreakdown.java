package dev.descent.examples.bench;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Descent;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.distributed.DistributedDataParallel;
import dev.descent.distributed.InProcessGroup;
import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.ReduceOp;
import dev.descent.examples.MlpBn;
import dev.descent.nn.Losses;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./descent bench replicas}: one data-parallel MLP-BN training step (Adam, global batch
 * 128, float32) split into compute, communication and waiting, for 1, 2 and 4 in-process
 * replicas sharing the machine's cores. Each replica's group is wrapped so that every gradient
 * reduction first waits at a barrier for the slowest replica (the time counted as waiting) and
 * then reduces (communication); the rest of the step is compute. The barrier adds one meeting per
 * bucket, so the waiting column is an upper bound of what an unmeasured step waits.
 *
 * <p>Synthetic inputs (standard normal, fixed per replica) stand in for MNIST so that no data
 * loading is timed; the step's arithmetic is the same. Prints one line per replica count: replica
 * 0's step time and its parts, each the mean over the measured steps (so the parts add up to the
 * step).
 */
public final class ReplicaStepBreakdown {
    static final int GLOBAL_BATCH = 128;
    static final int WARMUP_STEPS = 150;
    static final int MEASURED_STEPS = 300;

    private ReplicaStepBreakdown() {
    }

    /** Milliseconds of one step, by part. */
    record Split(int replicas, double step, double compute, double optimizer, double communication, double waiting) {
    }

    /** A process group that times its reductions, split at a barrier into waiting and communication. */
    static final class TimedGroup implements ProcessGroup {
        private final ProcessGroup group;
        long waitingNanos;
        long communicationNanos;

        TimedGroup(ProcessGroup group) {
            this.group = group;
        }

        @Override
        public int rank() {
            return group.rank();
        }

        @Override
        public int worldSize() {
            return group.worldSize();
        }

        @Override
        public boolean sharesMemory() {
            return group.sharesMemory();
        }

        @Override
        public void allReduce(NDArray buffer, ReduceOp op) {
            allReduce(List.of(buffer), op);
        }

        @Override
        public void allReduce(List<NDArray> buffers, ReduceOp op) {
            long start = System.nanoTime();
            group.barrier();
            long arrived = System.nanoTime();
            group.allReduce(buffers, op);
            waitingNanos += arrived - start;
            communicationNanos += System.nanoTime() - arrived;
        }

        @Override
        public void broadcast(NDArray buffer, int root) {
            group.broadcast(buffer, root);
        }

        @Override
        public NDArray[] allGather(NDArray buffer) {
            return group.allGather(buffer);
        }

        @Override
        public void barrier() {
            group.barrier();
        }
    }

    public static void main(String[] args) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("MLP-BN step, global batch %d, %d cores; mean of %d steps after %d%n", GLOBAL_BATCH, cores, MEASURED_STEPS,
                WARMUP_STEPS);
        System.out.println("replicas  threads each  step ms  compute ms  (optimizer ms)  communication ms  waiting ms");
        for (int replicas : new int[] {1, 2, 4}) {
            Split split = measure(replicas, Math.max(1, cores / replicas));
            System.out.printf(java.util.Locale.ROOT, "%8d  %12d  %7.3f  %10.3f  %14.3f  %16.3f  %10.3f%n", replicas,
                    Math.max(1, cores / replicas), split.step(), split.compute(), split.optimizer(), split.communication(), split.waiting());
        }
    }

    /** Trains {@code replicas} replicas on threads of their own and returns replica 0's mean split. */
    static Split measure(int replicas, int threadsEach) throws Exception {
        Descent.setNumThreads(threadsEach);
        List<ProcessGroup> group = InProcessGroup.create(replicas, Duration.ofMinutes(1));
        ExecutorService threads = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<double[][]>> running = new ArrayList<>();
            for (int rank = 0; rank < replicas; rank++) {
                ProcessGroup member = group.get(rank);
                running.add(threads.submit(() -> train(new TimedGroup(member), GLOBAL_BATCH / replicas)));
            }
            double[][] parts = running.get(0).get();
            for (Future<double[][]> other : running) {
                other.get();
            }
            return new Split(replicas, mean(parts[0]), mean(parts[1]), mean(parts[4]), mean(parts[2]), mean(parts[3]));
        } finally {
            threads.shutdownNow();
        }
    }

    /** Per measured step, in ms: step time, compute, communication, waiting, and the optimizer's part of compute. */
    private static double[][] train(TimedGroup group, int batch) {
        try (DistributedDataParallel model = new DistributedDataParallel(MlpBn.create(0), group)) {
            Optimizer adam = Optimizers.create("adam", model.parameters(), 1e-3);
            Generator data = new Generator(100 + group.rank());
            Tensor input = Tensor.of(NDArray.randn(DType.FLOAT32, data, batch, 784));
            Tensor target = Tensor.of(NDArray.rand(DType.FLOAT64, data, batch).mul(9.999).astype(DType.INT32));
            double[][] parts = new double[5][MEASURED_STEPS];
            for (int step = 0; step < WARMUP_STEPS + MEASURED_STEPS; step++) {
                long waiting = group.waitingNanos;
                long communication = group.communicationNanos;
                long start = System.nanoTime();
                adam.zeroGrad();
                Losses.crossEntropy(model.forward(input), target).backward();
                long optimizerStart = System.nanoTime();
                adam.step();
                long end = System.nanoTime();
                long elapsed = end - start;
                if (step >= WARMUP_STEPS) {
                    int m = step - WARMUP_STEPS;
                    double waited = (group.waitingNanos - waiting) / 1e6;
                    double communicated = (group.communicationNanos - communication) / 1e6;
                    parts[0][m] = elapsed / 1e6;
                    parts[1][m] = elapsed / 1e6 - waited - communicated;
                    parts[2][m] = communicated;
                    parts[3][m] = waited;
                    parts[4][m] = (end - optimizerStart) / 1e6;
                }
            }
            return parts;
        }
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }
}
