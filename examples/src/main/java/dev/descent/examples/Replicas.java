package dev.descent.examples;

import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.Subset;
import dev.descent.distributed.DistributedDataParallel;
import dev.descent.distributed.InProcessGroup;
import dev.descent.distributed.ProcessGroup;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code descent mnist --workers N}: N data-parallel replicas in this process. The training set
 * is split into N shards of equal size (image i to replica i mod N) and the global batch into N
 * per-replica batches; replica 0 is the command's own model, trained and checkpointed as without
 * replicas, and the other N &minus; 1 each run the same loop on their shard in a thread of their own.
 * {@link DistributedDataParallel} starts them all from replica 0's weights and averages their
 * gradients every step, so every replica takes the same step; batch norm keeps per-replica
 * statistics (replica 0's are saved), as in PyTorch.
 */
final class Replicas implements AutoCloseable {
    /** A collective that waits longer than this for a replica is an error naming it. */
    static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final List<ProcessGroup> group;
    private final List<Follower> followers = new ArrayList<>();
    private final ExecutorService threads;
    private final List<Dataset> shards = new ArrayList<>();

    /** A replica other than 0: its own model, optimizer, schedule, loader and trainer. */
    private record Follower(Trainer trainer, DataLoader loader, DistributedDataParallel model) {
    }

    private Replicas(int workers) {
        this.group = InProcessGroup.create(workers, TIMEOUT);
        this.threads = Executors.newFixedThreadPool(Math.max(1, workers - 1), runnable -> {
            Thread thread = new Thread(runnable, "replica");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts {@code workers} replicas for the run {@code s} on {@code train}; replica 0's model is
     * {@code model}, wrapped by {@link #wrapFirst}. The others are built and wrapped in their threads
     * meanwhile (the wrapping is a collective: every replica takes part).
     */
    static Replicas start(MnistSettings s, int workers, Dataset train, Device device, int[] stepsPerEpoch) {
        Replicas replicas = new Replicas(workers);
        int shardSize = train.size() / workers;
        for (int r = 0; r < workers; r++) {
            int[] indices = new int[shardSize];
            for (int i = 0; i < shardSize; i++) {
                indices[i] = i * workers + r;
            }
            replicas.shards.add(new Subset(train, indices));
        }
        List<Future<Follower>> building = new ArrayList<>();
        for (int r = 1; r < workers; r++) {
            int rank = r;
            building.add(replicas.threads.submit(() -> {
                Generator dropout = new Generator(s.seed() + 1 + 1000L * rank);
                Sequential model = s.model().create(new Generator(s.seed() + 1000L * rank), dropout);
                DistributedDataParallel wrapped = new DistributedDataParallel(model, replicas.group.get(rank));
                Optimizer optimizer = Optimizers.create(s.optimizer(), model.parameters(), s.lr());
                DataLoader loader = new DataLoader(replicas.shards.get(rank), s.batch() / workers)
                        .shuffle(new Generator(s.seed() + 3 + 1000L * rank));
                if (s.batchSchedule() != null) {
                    loader.batchSizeSchedule(epoch -> s.batchSize(epoch) / workers);
                }
                Trainer trainer = new Trainer(wrapped, optimizer, s.learningRateSchedule(optimizer, stepsPerEpoch), device)
                        .sameStartForEveryEvaluation(dropout);
                if (s.clipGradNorm() > 0) {
                    trainer.clipGradNorm(s.clipGradNorm());
                }
                return new Follower(trainer, loader, wrapped);
            }));
        }
        replicas.pending = building;
        return replicas;
    }

    private List<Future<Follower>> pending;

    /** Replica 0's shard of the training set. */
    Dataset firstShard() {
        return shards.get(0);
    }

    /** Wraps replica 0's {@code model} (the others are wrapped meanwhile) and waits until every replica is ready. */
    DistributedDataParallel wrapFirst(Sequential model) {
        DistributedDataParallel wrapped = new DistributedDataParallel(model, group.get(0));
        for (Future<Follower> future : pending) {
            followers.add(join(future));
        }
        return wrapped;
    }

    /** Runs one epoch: the other replicas in their threads, {@code first} (replica 0's epoch) in this one. */
    <T> T epoch(java.util.concurrent.Callable<T> first) throws Exception {
        List<Future<?>> running = new ArrayList<>();
        for (Follower follower : followers) {
            running.add(threads.submit(() -> follower.trainer().trainEpoch(follower.loader(), null)));
        }
        T result = first.call();
        for (Future<?> future : running) {
            join(future);
        }
        return result;
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get(TIMEOUT.toMinutes() + 1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replicas: interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("replicas: a replica did not finish its epoch in time", e);
        }
    }

    @Override
    public void close() {
        followers.forEach(follower -> follower.model().close());
        threads.shutdownNow();
    }
}
