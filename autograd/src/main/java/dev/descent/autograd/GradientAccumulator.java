package dev.descent.autograd;

/** The node at a leaf that requires grad: gradients arriving here are added into {@code leaf.grad()}. */
final class GradientAccumulator extends Node {
    final Tensor leaf;

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

    /** Adds {@code gradOutput} to the leaf's grad; {@code handedOver}: nothing else refers to its array (see {@link Engine}). */
    Tensor[] receive(Tensor gradOutput, boolean handedOver) {
        leaf.accumulateGrad(gradOutput, handedOver);
        return new Tensor[0];
    }

    @Override
    void release() {
        // a leaf's accumulator holds nothing for backward and serves every later graph
    }
}
