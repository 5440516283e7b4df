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
        leaf.accumulateGrad(gradOutput);
        return new Tensor[0];
    }

    @Override
    void release() {
        // a leaf's accumulator holds nothing for backward and serves every later graph
    }
}
