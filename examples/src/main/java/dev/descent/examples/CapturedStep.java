package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.Device;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import dev.descent.cuda.CudaGraph;
import dev.descent.nn.Module;
import dev.descent.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The device part of a training step on a GPU (forward, loss, backward, the step's metrics)
 * captured once as a {@link CudaGraph} and replayed for every later batch of the same shape: the
 * Java code of the step, and the launch of each of its kernels, then cost one graph launch. The
 * first step runs eagerly (its first uses upload the device's constants), the second is captured;
 * a batch of another shape (the last, smaller one) runs eagerly, and so does every step if the
 * capture fails, for the reason {@link #status} gives. The optimizer's step stays outside: its
 * learning rate and step count change from step to step.
 *
 * <p>Replays write the same arrays each time: the batch is copied into the graph's input arrays,
 * and the parameters' gradients are the graph's (set back after an eager step).
 */
final class CapturedStep implements AutoCloseable {
    private final Module model;
    private final Device device;
    private final BiConsumer<Tensor, Tensor> body;
    private List<Parameter> parameters;
    /** What the graph's kernels point at: every parameter's and buffer's storage and whether it takes a gradient. */
    private List<Object> signature;
    private boolean warmedUp;
    private String failure;
    private CudaGraph graph;
    private NDArray input;
    private NDArray target;
    private List<Tensor> gradients;
    private long replays;
    private long eagerSteps;

    /** {@code body} computes the step from an input and a target batch: forward, loss, backward, metrics, with no read-back. */
    CapturedStep(Module model, Device device, BiConsumer<Tensor, Tensor> body) {
        this.model = model;
        this.device = device;
        this.body = body;
    }

    /** The model as the graph sees it; a module moved, reloaded or frozen since the capture no longer matches. */
    private List<Object> signature() {
        List<Object> parts = new ArrayList<>();
        for (Parameter parameter : model.parameters()) {
            parts.add(parameter);
            parts.add(parameter.data().storage());
            parts.add(parameter.requiresGrad());
        }
        model.namedBuffers().values().forEach(buffer -> parts.add(buffer.storage()));
        return parts;
    }

    /** Runs the step from the graph if it can (the gradients are then the graph's); false when the caller must run it eagerly. */
    boolean replay(Tensor batchInput, Tensor batchTarget) {
        if (failure != null || !model.isTraining()) {
            eagerSteps++;
            return false;
        }
        if (graph != null && !signature().equals(signature)) {
            close();            // the model changed under the graph: run eagerly once more, then capture anew
            warmedUp = false;
        }
        if (graph == null) {
            if (!warmedUp) {
                warmedUp = true;
                eagerSteps++;
                return false;
            }
            if (!capture(batchInput.data(), batchTarget.data())) {
                eagerSteps++;
                return false;
            }
        }
        if (!Arrays.equals(input.shape(), batchInput.shape()) || !Arrays.equals(target.shape(), batchTarget.shape())
                || input.dtype() != batchInput.dtype() || target.dtype() != batchTarget.dtype()) {
            eagerSteps++;
            return false;
        }
        input.copyFrom(batchInput.data());
        target.copyFrom(batchTarget.data());
        for (int i = 0; i < parameters.size(); i++) {
            parameters.get(i).setGrad(gradients.get(i));
        }
        graph.replay();
        replays++;
        return true;
    }

    private boolean capture(NDArray batchInput, NDArray batchTarget) {
        // the graph's inputs, and everything it allocates, outlive the step's memory scope
        NDArray[] inputs = MemoryScope.collect(() -> new NDArray[] {
            NDArray.empty(batchInput.dtype(), batchInput.shape(), device),
            NDArray.empty(batchTarget.dtype(), batchTarget.shape(), device)}).withoutOwner();
        parameters = model.parameters();
        for (Parameter parameter : parameters) {
            parameter.zeroGrad();   // so the captured backward writes its gradients instead of adding to earlier ones
        }
        try {
            graph = CudaGraph.capture(device, () -> MemoryScope.collect(() -> {
                body.accept(Tensor.of(inputs[0]), Tensor.of(inputs[1]));
                return null;
            }).withoutOwner());
        } catch (IllegalStateException e) {
            failure = e.getMessage();
            inputs[0].storage().release();
            inputs[1].storage().release();
            return false;
        }
        input = inputs[0];
        target = inputs[1];
        signature = signature();
        gradients = new ArrayList<>();
        for (Parameter parameter : parameters) {
            gradients.add(parameter.grad());
        }
        return true;
    }

    /** One line for people: how many steps replayed the graph and of how many kernels, or why it is not used. */
    String status() {
        if (failure != null) {
            return "CUDA graph: not used (" + failure + "); " + eagerSteps + " eager steps";
        }
        if (graph == null) {
            return "CUDA graph: not captured" + (replays > 0 ? " now; " + replays + " steps replayed one" : "") + "; " + eagerSteps
                    + " eager steps";
        }
        return String.format("CUDA graph: %d kernels captured; %d steps replayed it, %d ran eagerly (the first, and batches of"
                + " another shape)", graph.kernels(), replays, eagerSteps);
    }

    /** Frees the graph; its gradients and inputs go with it. */
    @Override
    public void close() {
        if (graph != null) {
            graph.close();
            input.storage().release();
            target.storage().release();
            graph = null;
        }
    }
}
