package dev.descent.autograd;

/** The node at a leaf that requires grad: gradients arriving here are added into {@code leaf.grad()}. */
final class GradientAccumulator extends Node {
    final Tensor leaf;
    /** Called, in registration order, once the leaf's gradient of a backward pass is complete. */
    final java.util.List<java.util.function.Consumer<Tensor>> hooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    GradientAccumulator(Tensor leaf) {
        this.leaf = leaf;
    }

    @Override
    String name() {
        return "AccumulateGrad";
    }

    @Override
    Tensor[] propagate(Tensor gradOutput) {
        return receive(gradOutput, false);
    }

    /**
     * Adds {@code gradOutput} to the leaf's grad; {@code handedOver}: nothing else refers to its
     * array (see {@link Engine}). Null when every gradient was already added in place by the
     * functions that produced it ({@link Context#claimGradientBuffer}).
     */
    Tensor[] receive(Tensor gradOutput, boolean handedOver) {
        if (gradOutput != null) {
            leaf.accumulateGrad(gradOutput, handedOver);
        }
        // the engine brings every gradient of one backward pass to this node at once: the leaf's grad is now complete
        for (java.util.function.Consumer<Tensor> hook : hooks) {
            hook.accept(leaf);
        }
        return new Tensor[0];
    }

    @Override
    void release() {
        // a leaf's accumulator holds nothing for backward and serves every later graph
    }
}
