package dev.descent.autograd;

/**
 * A vertex of the backward graph: it receives the gradient of one tensor and passes gradients on
 * to the nodes of that tensor's inputs ({@link #next}, null where an input needs none).
 */
abstract class Node {
    /** One entry per input of the operation; null where that input needs no gradient. */
    Node[] next = new Node[0];

    /** Set once backward has run without {@code retainGraph}: the node's saved values are gone. */
    boolean released;

    /** The operation's name, for messages and graph export. */
    abstract String name();

    /** The gradients for each input given the gradient of the output; entries may be null. */
    abstract Tensor[] propagate(Tensor gradOutput);

    /** Drops what the node saved for backward. */
    void release() {
        released = true;
    }
}
