package dev.descent.distributed;

import dev.descent.autograd.Tensor;
import dev.descent.core.Device;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Pipeline model parallelism, as GPipe (Huang et al. 2019): a {@link Sequential} split into
 * stages, each on a thread of its own, and every batch split into micro-batches that flow through
 * the stages, so that stage k works on micro-batch m while stage k + 1 works on m &minus; 1. A step
 * runs every micro-batch forward, then every one backward in reverse order; each stage keeps its
 * micro-batches' graphs, passes its outputs on (detached, as leaves of the next stage's graphs) and
 * the gradients of its inputs back. The parameters' gradients accumulate over the micro-batches,
 * and each micro-batch's loss is divided by their number, so that a step's gradients are those of
 * the whole batch's mean loss.
 * <p>
 * A layer that looks at the whole batch (batch norm) sees micro-batches instead, as in GPipe.
 * <p>
 * Each stage can live on a device of its own (say two GPUs, or a GPU and the CPU): its modules
 * are moved there, and activations and gradients are copied across at the stage boundaries.
 *
 * <pre>{@code
 * Pipeline pipeline = new Pipeline(model, 4, 8);        // split after modules 4 and 8: three stages
 * double loss = pipeline.step(images, labels, 4, Losses::crossEntropy);   // 4 micro-batches; then optimizer.step()
 * Pipeline twoGpus = new Pipeline(model, List.of(Device.cuda(0), Device.cuda(1)), 6);
 * }</pre>
 */
public final class Pipeline implements AutoCloseable {
    private final List<Sequential> stages = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private final ExecutorService threads;
    /** When each stage began and finished each micro-batch's forward (nanoseconds), for inspecting the overlap. */
    private long[][] forwardStart;
    private long[][] forwardEnd;

    /** Splits {@code model} before each of {@code boundaries} (increasing module indices): boundaries.length + 1 stages, where the model is. */
    public Pipeline(Sequential model, int... boundaries) {
        this(model, null, boundaries);
    }

    /**
     * Splits {@code model} as {@link #Pipeline(Sequential, int...)} and moves stage k's modules to
     * {@code devices.get(k)} (one device per stage).
     */
    public Pipeline(Sequential model, List<Device> devices, int... boundaries) {
        int previous = 0;
        int[] cuts = Arrays.copyOf(boundaries, boundaries.length + 1);
        cuts[boundaries.length] = model.size();
        for (int cut : cuts) {
            if (cut <= previous || cut > model.size()) {
                throw new IllegalArgumentException("Pipeline: the boundaries " + Arrays.toString(boundaries) + " must increase strictly within"
                        + " the model's " + model.size() + " modules, each stage keeping at least one");
            }
            Module[] modules = new Module[cut - previous];
            for (int i = previous; i < cut; i++) {
                modules[i - previous] = model.get(i);
            }
            stages.add(new Sequential(modules));
            previous = cut;
        }
        if (devices != null && devices.size() != stages.size()) {
            throw new IllegalArgumentException("Pipeline: " + devices.size() + " devices " + devices + " for " + stages.size()
                    + " stages; expected one device per stage");
        }
        Device home = model.parameters().stream().map(Tensor::device).findFirst().orElse(Device.CPU);
        for (int k = 0; k < stages.size(); k++) {
            Device device = devices == null ? home : devices.get(k);
            this.devices.add(device);
            stages.get(k).to(device);
        }
        int count = stages.size();
        threads = Executors.newFixedThreadPool(count, runnable -> {
            Thread thread = new Thread(runnable, "pipeline-stage");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The device of each stage. */
    public List<Device> devices() {
        return List.copyOf(devices);
    }

    /** The number of stages. */
    public int stageCount() {
        return stages.size();
    }

    /**
     * One step over a batch split into {@code microBatches} along its first dimension: forward
     * through every stage, the loss of each micro-batch ({@code loss} of the last stage's output and
     * the micro-batch's targets) divided by their number, and backward; the gradients are left in
     * the parameters, summed over the micro-batches. Returns the batch's mean loss.
     */
    public double step(Tensor input, Tensor target, int microBatches, BiFunction<Tensor, Tensor, Tensor> loss) {
        int batch = input.shape(0);
        if (microBatches < 1 || microBatches > batch || batch % microBatches != 0) {
            throw new IllegalArgumentException("Pipeline.step: " + microBatches + " micro-batches must divide the batch of " + batch + " evenly");
        }
        int size = batch / microBatches;
        int count = stages.size();
        forwardStart = new long[count][microBatches];
        forwardEnd = new long[count][microBatches];
        // queues[k] carries stage k's outputs to stage k + 1; gradients[k] carries stage k + 1's input gradients back to stage k
        List<BlockingQueue<Tensor>> outputs = new ArrayList<>();
        List<BlockingQueue<Tensor>> gradients = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            outputs.add(new ArrayBlockingQueue<>(microBatches));
            gradients.add(new ArrayBlockingQueue<>(microBatches));
        }
        double[] losses = new double[microBatches];
        List<Future<?>> running = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int stage = k;
            running.add(threads.submit(() -> {
                runStage(stage, input, target, size, microBatches, loss, outputs, gradients, losses);
                return null;
            }));
        }
        try {
            for (Future<?> future : running) {
                future.get(10, TimeUnit.MINUTES);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Pipeline.step: interrupted", e);
        } catch (ExecutionException e) {
            running.forEach(future -> future.cancel(true));
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            running.forEach(future -> future.cancel(true));
            throw new IllegalStateException("Pipeline.step: a stage did not finish within 10 minutes", e);
        }
        return Arrays.stream(losses).sum();
    }

    private void runStage(int stage, Tensor input, Tensor target, int size, int microBatches, BiFunction<Tensor, Tensor, Tensor> loss,
                          List<BlockingQueue<Tensor>> outputs, List<BlockingQueue<Tensor>> gradients, double[] losses)
            throws InterruptedException {
        boolean first = stage == 0;
        boolean last = stage == stages.size() - 1;
        Device device = devices.get(stage);
        Tensor[] inputs = new Tensor[microBatches];
        Tensor[] results = new Tensor[microBatches];
        for (int m = 0; m < microBatches; m++) {
            Tensor in = first ? Tensor.of(input.data().narrow(0, m * size, size).to(device)) : outputs.get(stage - 1).take();
            forwardStart[stage][m] = System.nanoTime();
            Tensor out = stages.get(stage).forward(in);
            forwardEnd[stage][m] = System.nanoTime();
            inputs[m] = in;
            if (last) {
                Tensor part = loss.apply(out, Tensor.of(target.data().narrow(0, m * size, size).to(device))).div(microBatches);
                losses[m] = part.item();
                results[m] = part;
            } else {
                results[m] = out;
                // the next stage's input: a leaf of its graph, on its device
                outputs.get(stage).put(Tensor.of(out.data().to(devices.get(stage + 1))).requiresGrad(true));
            }
        }
        for (int m = microBatches - 1; m >= 0; m--) {
            if (last) {
                results[m].backward();
            } else {
                Tensor gradient = gradients.get(stage).take();
                results[m].backward(Tensor.of(gradient.data().to(device)));
            }
            if (!first) {
                Tensor in = inputs[m];
                gradients.get(stage - 1).put(in.grad() == null ? Tensor.of(in.data().zerosLike()) : in.grad());
            }
        }
    }

    /**
     * Whether the last step's stages overlapped: some stage began a micro-batch's forward before the
     * stage ahead of it had finished all of its own.
     */
    public boolean overlapped() {
        for (int k = 1; k < forwardStart.length; k++) {
            if (forwardStart[k][0] < forwardEnd[k - 1][forwardEnd[k - 1].length - 1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
