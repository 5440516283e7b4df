package dev.descent.examples;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.MemoryScope;
import dev.descent.cuda.DeviceActivity;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.nn.Losses;
import dev.descent.nn.Module;
import dev.descent.nn.Parameter;
import dev.descent.nn.utils.GradientClipping;
import dev.descent.optim.ElementwiseOptimizer;
import dev.descent.optim.LossClosure;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ResidualClosure;
import dev.descent.optim.schedule.LRScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The training loop every example shares: one epoch of minibatch steps with cross-entropy, and
 * an evaluation pass. Records the loss, the learning rate and the gradient norm of every step.
 */
final class Trainer {
    /** What one epoch of training measured. */
    record EpochResult(double meanLoss, double accuracy, double seconds, int samples, int steps) {
    }

    /** What an evaluation measured; the confusion matrix counts [true label][predicted label]. */
    record Evaluation(double meanLoss, double accuracy, long[][] confusion, int[] predictions) {
    }

    /** Called after every step with the step's index in the epoch, the batch count and the running loss. */
    interface StepListener {
        void onStep(int step, int steps, double runningLoss, int samplesSoFar);
    }

    private final Module model;
    private final Optimizer optimizer;
    private final LRScheduler scheduler;
    /** Where the model lives: batches are moved there (a no-op when the dataset is staged on it). */
    private final Device device;
    /** Whether zeroGrad keeps the gradient arrays (zeroed) for the next backward to add into. */
    private final boolean keepGradientArrays;
    final List<Double> stepLoss = new ArrayList<>();
    final List<Double> stepLr = new ArrayList<>();
    final List<Double> stepGradNorm = new ArrayList<>();
    private Duration readInterval;
    private DeviceActivity trainingActivity;
    private long trainingSteps;
    private StepMetrics metrics;
    /** The step captured as a CUDA graph, on a GPU unless switched off; null otherwise. */
    private CapturedStep captured;
    /** The generator the model's dropout draws from, rewound before each evaluation of a step's closure; null: none. */
    private Generator dropout;
    /** The largest global L2 norm the gradients keep (they are scaled down to it), or 0: no clipping. */
    private double clipGradNorm;
    /** The step of the run being taken, from 1, for the messages of a step that fails. */
    private int currentStep;
    /** Whether every step records each Linear layer's weight-gradient norm. */
    private boolean recordLayerNorms;
    /** The Linear layers' weights whose gradient norms are recorded, by their dotted names, in the model's order. */
    final List<String> layerNames = new ArrayList<>();
    /** The number of weights of each of {@link #layerNames}, to compare layers of different sizes by the RMS of their gradients. */
    final List<Integer> layerSizes = new ArrayList<>();
    /** Evaluations of a step's closure so far (one per step for most methods; line searches and trial points add more). */
    long evaluations;
    /** Per step, the L2 norm of each of {@link #layerNames}' gradients before clipping. */
    final List<double[]> layerGradNorms = new ArrayList<>();

    /** A trainer whose {@code scheduler} (may be null) steps once after every optimizer step, for a model on {@code device}. */
    Trainer(Module model, Optimizer optimizer, LRScheduler scheduler, Device device) {
        this.model = model;
        this.optimizer = optimizer;
        this.scheduler = scheduler;
        this.device = device;
        this.readInterval = device.type() == Device.Type.CPU ? Duration.ZERO : Duration.ofSeconds(1);
        // on the CPU the gradient arrays live from step to step and backward adds into them (a
        // Linear layer's dW straight from its GEMM): a third less allocation per step. Only for the
        // element-wise methods, whose step reads each gradient once; on a GPU the arrays go back
        // with each step's memory scope instead
        this.keepGradientArrays = device.type() == Device.Type.CPU && optimizer instanceof ElementwiseOptimizer;
        if (device.type() == Device.Type.CUDA && optimizer != null) {
            captured = new CapturedStep(model, device, this::capturedWork);
            setCapturable(true);
        }
    }

    Module model() {
        return model;
    }

    /**
     * Makes every evaluation of one step's closure start from the same state: the same dropout masks
     * from {@code dropout} (common random numbers) and the same batch-norm running statistics.
     * L-BFGS's line search, Newton-CG's products and the least-squares methods' trial points then
     * compare values of one function, not of one function plus fresh noise, and a step updates the
     * running statistics once (from its last evaluation), not once per trial point, some of which
     * lie far from where the step ends. A method that evaluates once per step is unaffected.
     * Returns this.
     */
    Trainer sameStartForEveryEvaluation(Generator dropout) {
        this.dropout = dropout;
        return this;
    }

    /**
     * Clips the gradients of every step to a global L2 norm of at most {@code maxNorm} before the
     * optimizer reads them ({@link GradientClipping#clipGradNorm}); the metrics keep the norm
     * before clipping. Steps run eagerly (the clipping reads the norm back). Returns this.
     */
    Trainer clipGradNorm(double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("clipGradNorm: the largest norm must be positive, got " + maxNorm);
        }
        clipGradNorm = maxNorm;
        return eager();
    }

    /**
     * Records, at every step, the L2 norm of each Linear layer's weight gradient (before any
     * clipping), in {@link #layerGradNorms}: how the gradient's size changes through the depth of
     * the network (vanishing or exploding gradients). Each step reads them back, so steps run
     * eagerly. Returns this.
     */
    Trainer recordLayerGradientNorms() {
        recordLayerNorms = true;
        return eager();
    }

    /** Runs every step eagerly even on a GPU (no CUDA graph); returns this. Call it before the first step. */
    Trainer eager() {
        captured = null;
        setCapturable(false);
        return this;
    }

    /** Optimizers that can keep their changing values on the device (Adam, AdamW) do so while a graph may capture their step. */
    private void setCapturable(boolean capturable) {
        for (ParamGroup group : optimizer.paramGroups()) {
            if (group.has("capturable")) {
                group.set("capturable", capturable);
            }
        }
    }

    /** The step's device work, the same eagerly and in a captured graph: forward, loss, backward, and the step's metrics; returns the loss. */
    private Tensor forwardBackward(Tensor input, Tensor target) {
        Tensor logits = model.forward(input);
        Tensor loss = Losses.crossEntropy(logits, target);
        loss.backward();
        metrics.measure(loss.data(), GradientClipping.totalNorm(model.parameters(), 2), logits.data(), target.data());
        if (recordLayerNorms) {
            recordLayerNorms();
        }
        clip();
        return loss;
    }

    private void recordLayerNorms() {
        Map<String, Parameter> parameters = model.namedParameters();
        if (layerNames.isEmpty()) {
            parameters.forEach((name, parameter) -> {
                if (name.endsWith(".weight") && parameter.rank() == 2) {
                    layerNames.add(name);
                    layerSizes.add(parameter.size());
                }
            });
        }
        double[] norms = new double[layerNames.size()];
        for (int i = 0; i < norms.length; i++) {
            NDArray norm = GradientClipping.totalNorm(List.of(parameters.get(layerNames.get(i))), 2);
            norms[i] = norm == null ? 0 : norm.item();
        }
        layerGradNorms.add(norms);
    }

    private void clip() {
        if (clipGradNorm > 0) {
            try {
                GradientClipping.clipGradNorm(model.parameters(), clipGradNorm);
            } catch (ArithmeticException e) {
                throw new TrainingDivergedException(currentStep, "training diverged at step " + currentStep + ": a gradient holds NaN or"
                        + " infinity; try a lower learning rate");
            }
        }
    }

    /** What a captured graph replays: the step's device work, and the optimizer's update when it keeps its changing values on the device. */
    private void capturedWork(Tensor input, Tensor target) {
        forwardBackward(input, target);
        if (optimizer.capturable()) {
            optimizer.step();
        }
    }

    /**
     * Every optimizer steps through one closure; L-BFGS, Newton-CG and the least-squares methods
     * evaluate it several times, the others once. The step's metrics are those of its first
     * evaluation, at the parameters the step starts from, as for a method that evaluates once.
     * A least-squares method gets the residuals {@link Losses#softmaxResiduals} (the metrics still
     * report cross-entropy and its gradient's norm, so that every method is charted alike).
     */
    private LossClosure closure(Tensor input, Tensor target) {
        long[] randomness = dropout == null ? null : dropout.state();
        Map<String, NDArray> statistics = dropout == null ? null : snapshot(model.namedBuffers());
        boolean[] measured = {false};
        if (optimizer.closureKind() == Optimizer.ClosureKind.RESIDUALS) {
            return (ResidualClosure) () -> {
                evaluations++;
                rewind(randomness, statistics);
                Tensor logits = model.forward(input);
                if (!measured[0] && logits.requiresGrad()) {
                    measured[0] = true;
                    Tensor loss = Losses.crossEntropy(logits, target);
                    List<? extends Tensor> params = model.parameters();
                    Tensor[] gradients = Autograd.grad(new Tensor[] {loss}, params.toArray(new Tensor[0]), null, false, true);
                    metrics.measure(loss.data(), GradientClipping.totalNorm(gradientsOf(params, gradients), 2), logits.data(), target.data());
                }
                return Losses.softmaxResiduals(logits, target);
            };
        }
        return () -> {
            evaluations++;
            rewind(randomness, statistics);
            optimizer.zeroGrad(!keepGradientArrays);
            if (measured[0]) {
                Tensor loss = Losses.crossEntropy(model.forward(input), target);
                loss.backward();
                clip();
                return loss;
            }
            measured[0] = true;
            return forwardBackward(input, target);
        };
    }

    private void rewind(long[] randomness, Map<String, NDArray> statistics) {
        if (randomness != null) {
            dropout.setState(randomness);
        }
        if (statistics != null) {
            Map<String, NDArray> live = model.namedBuffers();
            statistics.forEach((name, saved) -> live.get(name).copyFrom(saved));
        }
    }

    private static Map<String, NDArray> snapshot(Map<String, NDArray> buffers) {
        Map<String, NDArray> copies = new java.util.LinkedHashMap<>();
        buffers.forEach((name, buffer) -> copies.put(name, buffer.copy()));
        return copies;
    }

    /** Leaf tensors holding {@code gradients} as their grad, for the norm that reads grads. */
    private static List<Tensor> gradientsOf(List<? extends Tensor> params, Tensor[] gradients) {
        List<Tensor> holders = new ArrayList<>();
        for (int i = 0; i < gradients.length; i++) {
            Tensor holder = Tensor.of(params.get(i).data()).requiresGrad(true);
            holder.setGrad(gradients[i]);
            holders.add(holder);
        }
        return holders;
    }

    EpochResult trainEpoch(DataLoader loader, StepListener listener) {
        model.train();
        int steps = loader.batchesPerEpoch();
        int samples = 0;
        int step = 0;
        long start = System.nanoTime();
        long lastRead = start;
        DeviceActivity activityBefore = activity();
        if (metrics == null) {
            metrics = new StepMetrics(device);
        }
        metrics.startEpoch(steps);
        Iterator<Batch> batches = loader.iterator();
        int firstStep = stepLoss.size();   // every earlier step is read when an epoch ends
        while (batches.hasNext()) {
            int size;
            // on a GPU every array the step makes goes back to the allocator when it ends (optimizer state is made outside scopes)
            try (MemoryScope scope = stepScope()) {
                Batch batch = batches.next();
                Tensor input = batch.input().to(device);
                Tensor target = batch.target().to(device);
                size = batch.size();
                if (captured != null && captured.replay(input, target)) {
                    if (!optimizer.capturable()) {
                        optimizer.step();   // on the graph's gradients
                    }
                } else {
                    currentStep = firstStep + step + 1;
                    optimizer.step(closure(input, target));
                    optimizer.zeroGrad(!keepGradientArrays);   // on a GPU the step's gradients go back with its scope
                }
                // recorded on the device: nothing is read back here, so the host never waits for a GPU
                metrics.commit(size);
            }
            samples += size;
            stepLr.add(optimizer.paramGroups().get(0).has("lr") ? optimizer.paramGroups().get(0).lr() : Double.NaN);
            if (scheduler != null) {
                scheduler.step();
            }
            step++;
            long now = System.nanoTime();
            if (listener != null && (now - lastRead >= readInterval.toNanos() || step == steps)) {
                metrics.readInto(stepLoss, stepGradNorm);
                listener.onStep(step, steps, metrics.runningLoss(), samples);
                lastRead = now;
            }
        }
        // the parameters must not keep gradients whose memory goes back now (moving the model would read them)
        optimizer.zeroGrad();
        metrics.readInto(stepLoss, stepGradNorm);
        double meanLoss = metrics.runningLoss();
        long correct = metrics.correct();
        metrics.releaseEpoch();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (activityBefore != null) {
            trainingActivity = activity().minus(activityBefore).plus(trainingActivity);
            trainingSteps += step;
        }
        return new EpochResult(meanLoss, (double) correct / samples, seconds, samples, step);
    }

    /**
     * How often a training epoch reads its metrics back for the progress listener: on the CPU at
     * every step (reading costs nothing there), on a GPU about once a second, so that the bar
     * still moves while steps do not wait for the device. The epoch's end always reads.
     */
    void readInterval(Duration interval) {
        this.readInterval = interval;
    }

    /** Whether and how the step ran as a CUDA graph, for people; null where none was attempted (the CPU, or {@link #eager}). */
    String graphStatus() {
        return captured == null ? null : captured.status();
    }

    /** Frees the captured step's graph, if any. */
    void close() {
        if (captured != null) {
            captured.close();
        }
    }

    /** Kernel launches, copies and waits per training step so far, on a CUDA device; null on the CPU. */
    String activityPerStep() {
        return trainingActivity == null || trainingSteps == 0 ? null : trainingActivity.perStep(trainingSteps);
    }

    /** What the device has done so far, or null on the CPU. */
    private DeviceActivity activity() {
        return device.type() == Device.Type.CUDA ? DeviceActivity.of(device) : null;
    }

    /** A memory scope for one step on a GPU; null (nothing to release) on the CPU. */
    private MemoryScope stepScope() {
        return device.equals(Device.CPU) ? null : MemoryScope.open();
    }

    /** Loss, accuracy, confusion matrix and predictions on {@code loader}'s data, in eval mode. */
    Evaluation evaluate(DataLoader loader, int classes) {
        model.eval();
        long[][] confusion = new long[classes][classes];
        List<Integer> predictions = new ArrayList<>();
        double lossSum = 0;
        long correct = 0;
        int samples = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Iterator<Batch> batches = loader.iterator();
            while (batches.hasNext()) {
                int[] predicted;
                int[] truth;
                try (MemoryScope scope = stepScope()) {
                    Batch batch = batches.next();
                    Tensor logits = model.forward(batch.input().to(device));
                    lossSum += Losses.crossEntropy(logits, batch.target().to(device)).item() * batch.size();
                    predicted = logits.data().argmax(1).toIntArray();
                    truth = batch.target().data().toIntArray();
                }
                for (int i = 0; i < predicted.length; i++) {
                    confusion[truth[i]][predicted[i]]++;
                    correct += predicted[i] == truth[i] ? 1 : 0;
                    predictions.add(predicted[i]);
                }
                samples += predicted.length;
            }
        }
        model.train();
        return new Evaluation(lossSum / samples, (double) correct / samples, confusion,
                predictions.stream().mapToInt(Integer::intValue).toArray());
    }

}
