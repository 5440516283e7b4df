package dev.descent.autograd;

import dev.descent.core.Device;
import dev.descent.core.NDArray;
import dev.descent.core.Storage;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass. It finds every node reachable from the roots with an explicit stack (no
 * recursion, so a chain of any length works), counts how many gradients each node will receive,
 * then runs nodes in topological order: a node runs once all its consumers have delivered, with
 * the sum of what they sent. Without {@code retainGraph}, each node drops its saved values right
 * after it runs.
 *
 * <p>A leaf's first gradient is handed over rather than copied when nothing else can refer to its
 * array: a new array made during this backward (see {@link Tensor#isFresh}), contiguous, and
 * delivered along one edge only (the engine counts deliveries per storage, so a gradient sent to
 * two inputs, or alongside a view of itself, is copied). That saves a copy of every weight
 * gradient per training step.
 *
 * <p>Once a function's backward has returned, the gradient it consumed is given back to the host
 * allocator when only the engine can refer to it (see {@link #recycle}): a step's intermediate
 * gradients become the next step's arrays instead of garbage. Not with {@code createGraph},
 * {@code Autograd.grad} or anomaly detection, where gradients stay reachable.
 */
final class Engine {
    private Engine() {
    }

    static void backward(Tensor root, Tensor gradOutput, boolean retainGraph, boolean createGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: this tensor does not require grad and has no graph: no input"
                    + " of the computation that produced it had requiresGrad(true)");
        }
        checkGradOutput("backward", root, gradOutput);
        run(new Tensor[] {root}, new Tensor[] {gradOutput}, retainGraph, createGraph, null);
    }

    /**
     * Runs backward from {@code roots}. When {@code captured} is given, gradients arriving at its
     * nodes are stored there instead of being accumulated into leaves.
     */
    static void run(Tensor[] roots, Tensor[] rootGrads, boolean retainGraph, boolean createGraph, Map<Node, Tensor> captured) {
        Map<Node, Integer> pending = countDependencies(roots);
        Map<Node, Tensor> buffers = new IdentityHashMap<>();
        Map<Storage, Integer> deliveries = new IdentityHashMap<>();
        // leaves whose gradient a function already added in place (Context.claimGradientBuffer)
        Set<Node> addedInPlace = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> ready = new ArrayDeque<>();
        for (int i = 0; i < roots.length; i++) {
            Node node = roots[i].gradientNode();
            if (node != null) {
                // the caller still holds the root gradients: never hand them to a leaf
                deliveries.merge(rootGrads[i].data().storage(), 2, Integer::sum);
                accumulate(buffers, node, rootGrads[i]);
            }
        }
        for (Tensor root : roots) {
            Node node = root.gradientNode();
            if (node != null && pending.get(node) == 0 && !ready.contains(node)) {
                ready.add(node);
            }
        }
        boolean anomaly = GradMode.isAnomalyDetectionEnabled();
        boolean inPlaceAllowed = captured == null && !createGraph && !anomaly;
        Anomaly.enterBackward();
        try (GradMode.Scope ignored = createGraph ? GradMode.enableGrad() : GradMode.noGrad()) {
            while (!ready.isEmpty()) {
                Node node = ready.poll();
                Tensor grad = buffers.remove(node);
                if (captured != null && captured.containsKey(node)) {
                    captured.put(node, grad);
                    if (node instanceof GradientAccumulator) {
                        continue;
                    }
                } else if (captured != null && node instanceof GradientAccumulator) {
                    continue; // Autograd.grad never touches .grad of other leaves
                }
                if (node.released) {
                    throw new IllegalStateException("backward: " + node.name() + " was already backpropagated and its saved"
                            + " values were freed. To backward through the same graph a second time, pass"
                            + " retainGraph = true to the first backward");
                }
                if (node instanceof Function function) {
                    function.context().offerGradientBuffers(inPlaceAllowed ? leafGradients(function) : null);
                }
                Tensor[] inputGrads = node instanceof GradientAccumulator accumulator
                        ? accumulator.receive(grad, grad != null && !createGraph && isHandedOver(grad, deliveries))
                        : node.propagate(grad);
                if (anomaly) {
                    Anomaly.checkBackward(node, grad, inputGrads);
                }
                if (!retainGraph) {
                    node.release();
                }
                if (inPlaceAllowed && node instanceof Function && grad != null) {
                    recycle(grad, inputGrads, deliveries);
                }
                for (int i = 0; i < node.next.length; i++) {
                    Node target = node.next[i];
                    if (target == null) {
                        continue;
                    }
                    if (inputGrads[i] != null) {
                        deliveries.merge(inputGrads[i].data().storage(), 1, Integer::sum);
                        accumulate(buffers, target, inputGrads[i]);
                    } else if (node instanceof Function function && function.context().claimed(i)) {
                        addedInPlace.add(target);
                    }
                    int left = pending.merge(target, -1, Integer::sum);
                    if (left == 0) {
                        if (buffers.containsKey(target) || addedInPlace.contains(target)) {
                            ready.add(target);
                        } else {
                            // no gradient reached it (every consumer returned null): its inputs get none either
                            skip(target, pending, buffers, addedInPlace, ready);
                        }
                    }
                }
            }
        } finally {
            Anomaly.exitBackward();
        }
    }

    /** The gradient arrays of the leaves among {@code function}'s inputs that its backward may add into, or null. */
    private static NDArray[] leafGradients(Function function) {
        NDArray[] offered = null;
        for (int i = 0; i < function.next.length; i++) {
            if (function.next[i] instanceof GradientAccumulator accumulator) {
                NDArray writable = accumulator.leaf.writableGradient();
                if (writable != null) {
                    offered = offered == null ? new NDArray[function.next.length] : offered;
                    offered[i] = writable;
                }
            }
        }
        return offered;
    }

    /** Propagates "no gradient" through a node whose consumers all returned null. */
    private static void skip(Node start, Map<Node, Integer> pending, Map<Node, Tensor> buffers, Set<Node> addedInPlace,
            Deque<Node> ready) {
        Deque<Node> stack = new ArrayDeque<>();
        stack.push(start);
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            for (Node target : node.next) {
                if (target != null && pending.merge(target, -1, Integer::sum) == 0) {
                    if (buffers.containsKey(target) || addedInPlace.contains(target)) {
                        ready.add(target);
                    } else {
                        stack.push(target);
                    }
                }
            }
        }
    }

    /** For every node reachable from the roots, the number of edges pointing at it. */
    private static Map<Node, Integer> countDependencies(Tensor[] roots) {
        Map<Node, Integer> pending = new IdentityHashMap<>();
        Deque<Node> stack = new ArrayDeque<>();
        for (Tensor root : roots) {
            Node node = root.gradientNode();
            if (node != null && !pending.containsKey(node)) {
                pending.put(node, 0);
                stack.push(node);
            }
        }
        while (!stack.isEmpty()) {
            Node node = stack.pop();
            for (Node target : node.next) {
                if (target == null) {
                    continue;
                }
                Integer count = pending.get(target);
                if (count == null) {
                    pending.put(target, 1);
                    stack.push(target);
                } else {
                    pending.put(target, count + 1);
                }
            }
        }
        return pending;
    }

    /**
     * Gives a host gradient that a function has consumed back to the allocator, when only the
     * engine can refer to it: made during this backward by an op (fresh), delivered along one edge
     * (or summed here), and not returned, or viewed, in what the function passed on. The next
     * array of its size (often the next step's activation) then reuses it.
     */
    private static void recycle(Tensor grad, Tensor[] inputGrads, Map<Storage, Integer> deliveries) {
        Storage storage = grad.data().storage();
        if (!grad.isFresh() || storage.device().type() != Device.Type.CPU || deliveries.getOrDefault(storage, 0) > 1) {
            return;
        }
        for (Tensor passed : inputGrads) {
            if (passed != null && passed.data().storage() == storage) {
                return;
            }
        }
        storage.release();
    }

    /** Whether only the engine refers to {@code grad}'s array, so a leaf may keep it as its grad. */
    private static boolean isHandedOver(Tensor grad, Map<Storage, Integer> deliveries) {
        NDArray array = grad.data();
        return grad.isFresh() && array.isContiguous() && deliveries.getOrDefault(array.storage(), 0) <= 1;
    }

    private static void accumulate(Map<Node, Tensor> buffers, Node node, Tensor grad) {
        buffers.merge(node, grad, Tensor::add);
    }

    static void checkGradOutput(String op, Tensor output, Tensor gradOutput) {
        if (gradOutput == null) {
            throw new IllegalArgumentException(op + ": gradOutput must not be null");
        }
        if (!Arrays.equals(gradOutput.shape(), output.shape())) {
            throw new IllegalArgumentException(op + ": gradOutput has shape " + Arrays.toString(gradOutput.shape())
                    + " but the output has shape " + Arrays.toString(output.shape()) + "; they must be equal");
        }
    }
}
