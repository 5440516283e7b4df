package dev.descent.data;

import dev.descent.autograd.Tensor;
import dev.descent.core.Generator;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;

/**
 * Batches of a dataset, one epoch per iteration:
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 128).shuffle(new Generator(0)).dropLast(true);
 * for (int epoch = 0; epoch < 5; epoch++) {
 *     for (Batch batch : loader) {
 *         Tensor loss = Losses.crossEntropy(model.forward(batch.input()), batch.target());
 *         ...
 *     }
 * }
 * }</pre>
 * With shuffling, each epoch draws a new permutation from the generator, so the same seed gives
 * the same order; {@link #state()} taken between epochs and given to {@link #setState} on a new
 * loader resumes that order exactly (a checkpointed run sees the epochs an uninterrupted one would). The next batch is assembled on a background thread while the current one is in
 * use. A batch-size schedule (e.g. {@code dev.descent.optim.BatchSizeSchedule}) may change the
 * batch size from one epoch to the next.
 *
 * <p>Device memory: a batch belongs to the {@link MemoryScope} open on the consuming thread when
 * {@code next()} returns it (a training step's scope releases it with the step), not to whatever
 * scope was open while it was assembled, which with look-ahead is the previous step's. Without an
 * open scope its memory is left to the garbage collector, as for any other array.
 */
public final class DataLoader implements Iterable<Batch> {
    private static final ExecutorService PREFETCH = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "descent-data-prefetch");
        thread.setDaemon(true);
        return thread;
    });

    private final Dataset dataset;
    private final int batchSize;
    private Generator generator;
    private boolean dropLast;
    private boolean prefetch = true;
    private IntUnaryOperator batchSizeSchedule;
    private int epoch;

    /**
     * Where a loader is in its sequence of epochs: how many epochs it has begun and its shuffling
     * generator's {@link Generator#state()} (null when it does not shuffle). Both are plain
     * numbers, so a checkpoint file can hold them exactly.
     */
    public record State(int epoch, long[] shuffle) {
        public State {
            if (epoch < 0) {
                throw new IllegalArgumentException("DataLoader.State: epoch must be >= 0, got " + epoch);
            }
            shuffle = shuffle == null ? null : shuffle.clone();
        }

        @Override
        public long[] shuffle() {
            return shuffle == null ? null : shuffle.clone();
        }
    }

    public DataLoader(Dataset dataset, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        }
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("DataLoader: the dataset is empty");
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
    }

    /** Shuffles every epoch with {@code generator} (null turns shuffling off); returns this. */
    public DataLoader shuffle(Generator generator) {
        this.generator = generator;
        return this;
    }

    /** Drops the last batch of an epoch when it is smaller than the batch size; returns this. */
    public DataLoader dropLast(boolean drop) {
        this.dropLast = drop;
        return this;
    }

    /** Assembles the next batch on a background thread (default on); returns this. */
    public DataLoader prefetch(boolean enabled) {
        this.prefetch = enabled;
        return this;
    }

    /** The batch size of each epoch (from 0) comes from {@code schedule}; returns this. */
    public DataLoader batchSizeSchedule(IntUnaryOperator schedule) {
        this.batchSizeSchedule = schedule;
        return this;
    }

    /** The batch size the next epoch will use. */
    public int currentBatchSize() {
        int size = batchSizeSchedule == null ? batchSize : batchSizeSchedule.applyAsInt(epoch);
        if (size <= 0) {
            throw new IllegalStateException("DataLoader: the batch-size schedule gave " + size + " for epoch " + epoch);
        }
        return size;
    }

    /** The number of batches in the next epoch. */
    public int batchesPerEpoch() {
        int size = currentBatchSize();
        int n = dataset.size();
        return dropLast ? n / size : (n + size - 1) / size;
    }

    public Dataset dataset() {
        return dataset;
    }

    /**
     * The epochs begun so far and the shuffling generator's state, for a checkpoint. Take it
     * between epochs: each epoch's permutation is drawn when its iterator is made, so a state
     * taken during an epoch resumes at the next one.
     */
    public State state() {
        return new State(epoch, generator == null ? null : generator.state());
    }

    /**
     * Continues from {@code state}: the next epoch is its epoch and (when shuffling) the shuffling
     * generator takes its state, so the batches come in the order they would have without the
     * interruption. The loader must shuffle exactly when the saved one did.
     */
    public void setState(State state) {
        if ((state.shuffle() == null) != (generator == null)) {
            throw new IllegalArgumentException("DataLoader.setState: the state is of a loader that " + (state.shuffle() == null
                    ? "does not shuffle, but this one shuffles" : "shuffles, but this one does not (give it a Generator with shuffle)"));
        }
        if (generator != null) {
            generator.setState(state.shuffle());
        }
        epoch = state.epoch();
    }

    /** The batches of the next epoch. */
    @Override
    public Iterator<Batch> iterator() {
        int size = currentBatchSize();
        int n = dataset.size();
        int[] order = generator != null ? Datasets.permutation(n, generator) : identity(n);
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < n; start += size) {
            int end = Math.min(n, start + size);
            if (end - start < size && dropLast) {
                break;
            }
            batches.add(Arrays.copyOfRange(order, start, end));
        }
        epoch++;
        return new Iterator<>() {
            private int next;
            private CompletableFuture<MemoryScope.Collected<Batch>> pending = schedule(0);

            /** Without prefetching the batch is made in next(), on demand; with it, on the background thread now. */
            private CompletableFuture<MemoryScope.Collected<Batch>> schedule(int index) {
                if (index >= batches.size() || !prefetch) {
                    return null;
                }
                return CompletableFuture.supplyAsync(() -> MemoryScope.collect(() -> assemble(batches.get(index))), PREFETCH);
            }

            @Override
            public boolean hasNext() {
                return next < batches.size();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("DataLoader: the epoch has no more batches");
                }
                MemoryScope.Collected<Batch> batch;
                if (pending == null) {
                    batch = MemoryScope.collect(() -> assemble(batches.get(next)));
                } else {
                    try {
                        batch = pending.join();
                    } catch (CompletionException e) {
                        throw e.getCause() instanceof RuntimeException r ? r : e;
                    }
                }
                next++;
                pending = schedule(next);
                return batch.adoptIntoCurrentScope();
            }
        };
    }

    private Batch assemble(int[] indices) {
        NDArray[] fields = dataset.getBatch(indices);
        List<Tensor> tensors = new ArrayList<>(fields.length);
        for (NDArray field : fields) {
            tensors.add(Tensor.of(field));
        }
        return new Batch(tensors);
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
