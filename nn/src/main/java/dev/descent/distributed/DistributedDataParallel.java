package dev.descent.distributed;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.nn.Module;
import dev.descent.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Data-parallel training, as {@code torch.nn.parallel.DistributedDataParallel}: each member of a
 * {@link ProcessGroup} holds a replica of the model and trains on its own shard of every batch;
 * the replicas start from rank 0's parameters and buffers (broadcast when this wrapper is made),
 * and their gradients are averaged by all-reduce during backward, so that every replica's
 * optimizer takes the same step: the one full-batch training would take, for a loss averaged
 * over the batch and shards of equal size.
 * <p>
 * The parameters are grouped into buckets of about {@code bucketBytes}, in reverse order (the
 * order in which backward completes their gradients). A post-accumulate-grad hook marks each
 * parameter's gradient as ready; a full bucket is all-reduced as one collective on this
 * replica's communication thread while backward goes on with the earlier layers, and the hook of
 * the last bucket waits for every reduction, so that when {@code backward()} returns the
 * gradients are the average over the replicas. When the group's members share memory
 * ({@link ProcessGroup#sharesMemory()}) a reduction is copying on this core, which a second
 * thread would not overlap with anything, so the hook reduces the bucket itself. Every parameter must receive a gradient in every step (a
 * parameter that gets none is named at the next forward).
 *
 * <pre>{@code
 * // on each of N threads, replica r of N:
 * DistributedDataParallel model = new DistributedDataParallel(MlpBn.create(seed), group.get(r));
 * Optimizer sgd = Optimizers.create("sgd:lr=0.1", model.parameters());
 * sgd.zeroGrad();
 * Losses.crossEntropy(model.forward(shardOfBatch), shardOfTargets).backward();   // gradients averaged over the N replicas
 * sgd.step();
 * }</pre>
 * Batch norm keeps per-replica statistics, as in PyTorch (its running buffers are broadcast once,
 * at the start).
 */
public final class DistributedDataParallel extends Module implements AutoCloseable {
    /** PyTorch's default bucket size for the CPU is 25 MiB; ours is smaller because our models are. */
    public static final long DEFAULT_BUCKET_BYTES = 1L << 20;

    private final Module module;
    private final ProcessGroup group;
    private final List<Bucket> buckets = new ArrayList<>();
    private final List<AutoCloseable> hooks = new ArrayList<>();
    private final ExecutorService communication;
    private final List<Future<?>> reductions = new ArrayList<>();
    private int bucketsLaunched;

    /** The parameters one all-reduce carries, and how many of them have their gradient this step. */
    private static final class Bucket {
        final List<Parameter> parameters = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        long bytes;
        int ready;
    }

    /**
     * Wraps {@code module} as this member's replica, with buckets of {@value #DEFAULT_BUCKET_BYTES}
     * bytes; when the members share memory, with one bucket for all the gradients (reduced inline,
     * more buckets would overlap nothing and only add meetings).
     */
    public DistributedDataParallel(Module module, ProcessGroup group) {
        this(module, group, group.sharesMemory() ? Long.MAX_VALUE : DEFAULT_BUCKET_BYTES);
    }

    /** Wraps {@code module} as this member's replica; every member must call this with the same architecture. */
    public DistributedDataParallel(Module module, ProcessGroup group, long bucketBytes) {
        if (bucketBytes < 1) {
            throw new IllegalArgumentException("DistributedDataParallel: the bucket size must be positive, got " + bucketBytes);
        }
        this.module = registerModule("module", module);
        this.group = group;
        Map<String, Parameter> parameters = module.namedParameters();
        checkSameModel(parameters, group);
        // rank 0's values everywhere: parameters, then buffers (batch norm's running statistics), in the module's order
        parameters.values().forEach(parameter -> group.broadcast(parameter.data(), 0));
        module.namedBuffers().values().forEach(buffer -> group.broadcast(buffer, 0));
        List<String> names = new ArrayList<>(parameters.keySet());
        Bucket bucket = null;
        for (int i = names.size() - 1; i >= 0; i--) {
            Parameter parameter = parameters.get(names.get(i));
            if (!parameter.requiresGrad()) {
                continue;
            }
            long bytes = (long) parameter.size() * parameter.dtype().byteSize();
            if (bucket == null || bucket.bytes + bytes > bucketBytes && !bucket.parameters.isEmpty()) {
                bucket = new Bucket();
                buckets.add(bucket);
            }
            bucket.parameters.add(parameter);
            bucket.names.add(names.get(i));
            bucket.bytes += bytes;
            Bucket owner = bucket;
            hooks.add(parameter.registerPostAccumulateGradHook(p -> ready(owner)));
        }
        int rank = group.rank();
        communication = group.sharesMemory() ? null : Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ddp-communication-rank-" + rank);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Refuses replicas whose models differ, naming the first parameter that does: the number of
     * parameters first (as its smallest and largest over the group), then each one's size.
     */
    private static void checkSameModel(Map<String, Parameter> parameters, ProcessGroup group) {
        List<String> names = new ArrayList<>(parameters.keySet());
        NDArray count = NDArray.of(new double[] {names.size(), -names.size()}, 2);
        group.allReduce(count, ReduceOp.MAX);
        double[] extremes = count.toDoubleArray();
        if (extremes[0] != -extremes[1]) {
            throw new IllegalArgumentException("DistributedDataParallel: the replicas' models differ: rank " + group.rank() + " has "
                    + names.size() + " parameters, another replica " + (int) (extremes[0] != names.size() ? extremes[0] : -extremes[1]));
        }
        double[] sizes = new double[names.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = parameters.get(names.get(i)).size();
        }
        NDArray[] all = group.allGather(NDArray.of(sizes, sizes.length));
        for (int i = 0; i < sizes.length; i++) {
            for (int r = 0; r < all.length; r++) {
                double theirs = all[r].toDoubleArray()[i];
                if (theirs != sizes[i]) {
                    throw new IllegalArgumentException("DistributedDataParallel: the replicas' models differ at parameter '" + names.get(i)
                            + "': " + (long) sizes[i] + " values on rank " + group.rank() + ", " + (long) theirs + " on rank " + r);
                }
            }
        }
    }

    /** The wrapped replica. */
    public Module module() {
        return module;
    }

    /** The buckets' parameter names, in the order their reductions run (for inspection and tests). */
    public List<List<String>> buckets() {
        return buckets.stream().map(b -> List.copyOf(b.names)).toList();
    }

    @Override
    public Tensor forward(Tensor input) {
        if (bucketsLaunched > 0 && bucketsLaunched < buckets.size()) {
            List<String> missing = new ArrayList<>();
            for (Bucket bucket : buckets) {
                for (int i = 0; i < bucket.parameters.size(); i++) {
                    if (bucket.ready < bucket.parameters.size() && bucket.parameters.get(i).grad() == null) {
                        missing.add(bucket.names.get(i));
                    }
                }
            }
            throw new IllegalStateException("DistributedDataParallel: the last backward gave no gradient to " + (missing.isEmpty()
                    ? "some parameters" : missing) + ", so their bucket was never reduced; every parameter must take part in the loss");
        }
        return module.forward(input);
    }

    /** A parameter's gradient is complete: launch its bucket's reduction when the bucket is full, and wait for all at the end. */
    private void ready(Bucket bucket) {
        bucket.ready++;
        if (bucket.ready < bucket.parameters.size()) {
            return;
        }
        bucket.ready = 0;
        if (communication == null) {
            reduce(bucket);
        } else {
            reductions.add(communication.submit(() -> reduce(bucket)));
        }
        bucketsLaunched++;
        if (bucketsLaunched == buckets.size()) {
            bucketsLaunched = 0;
            try {
                for (Future<?> reduction : reductions) {
                    reduction.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("DistributedDataParallel: interrupted while waiting for the gradient reductions", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
            } finally {
                reductions.clear();
            }
        }
    }

    /** Averages the bucket's gradients over the group, as one collective. */
    private void reduce(Bucket bucket) {
        List<NDArray> gradients = new ArrayList<>(bucket.parameters.size());
        for (Parameter parameter : bucket.parameters) {
            gradients.add(parameter.grad().data());
        }
        group.allReduce(gradients, ReduceOp.MEAN);
    }

    /** Removes the hooks and stops the communication thread. */
    @Override
    public void close() {
        for (AutoCloseable hook : hooks) {
            try {
                hook.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (communication != null) {
            communication.shutdownNow();
        }
    }

    @Override
    protected String describe() {
        return "rank=" + group.rank() + ", worldSize=" + group.worldSize() + ", buckets=" + buckets.size();
    }
}
