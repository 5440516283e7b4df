package dev.descent.autograd;

import dev.descent.core.NDArray;
import java.util.Arrays;

/**
 * An operation of the graph: {@code forward} computes the output from the inputs' arrays, and
 * {@code backward} turns the output's gradient into the inputs' gradients. Every differentiable
 * operation in Descent is one, and it is the way to add your own: subclass it and call
 * {@link #apply}. A new instance is needed for each call, because the instance becomes the node
 * that remembers this one application in the graph.
 *
 * <p>Write {@code backward} with {@link Tensor} operations: then, when backward runs with
 * {@code createGraph}, the gradient it returns is itself differentiable (Hessian-vector products,
 * gradient penalties). Here is Swish, {@code x * sigmoid(x)}, written by hand:
 *
 * <pre>{@code
 * final class Swish extends Function {
 *     @Override
 *     protected NDArray forward(Context ctx, NDArray... inputs) {
 *         NDArray x = inputs[0];
 *         ctx.save(x);                                    // comes back as the input tensor
 *         return x.mul(x.sigmoid());
 *     }
 *
 *     @Override
 *     protected Tensor[] backward(Context ctx, Tensor gradOutput) {
 *         Tensor x = ctx.saved(0);
 *         Tensor s = x.sigmoid();
 *         // d/dx x*s(x) = s + x*s*(1 - s)
 *         Tensor local = s.add(x.mul(s).mul(s.neg().add(1)));
 *         return new Tensor[] {gradOutput.mul(local)};
 *     }
 * }
 *
 * Tensor y = new Swish().apply(x);
 * GradCheck.check(in -> new Swish().apply(in[0]), x);   // compare with finite differences
 * }</pre>
 *
 * <p>{@code backward} returns one entry per input, in order: the gradient with the input's shape,
 * or null when {@link Context#needsInputGrad} is false for it.
 *
 * <p>The array {@code forward} returns belongs to the output tensor: return a new array (or one
 * of the inputs), never one the function keeps elsewhere, such as a cached constant. Backward
 * relies on it to hand a gradient computed in a backward pass to a leaf's {@code grad} without a
 * copy, as PyTorch does when the engine holds the only reference.
 */
public abstract class Function extends Node {
    private Context context;
    private boolean applied;
    private int[] outputShape;
    private String creationSite;

    /** Computes the output from the input arrays; may {@link Context#save} what backward needs. */
    protected abstract NDArray forward(Context ctx, NDArray... inputs);

    /**
     * The gradient of each input given the gradient of the output (see the class comment).
     * {@code gradOutput} is lent for the call: after backward returns, the engine may give its
     * array to the next allocation of that size (unless it is returned, or a view of it is), so a
     * backward that wants it later keeps a copy.
     */
    protected abstract Tensor[] backward(Context ctx, Tensor gradOutput);

    /**
     * A gradient a backward has just made (a new array it keeps no reference to), marked so: the
     * engine may then hand it to a leaf without copying it, or give its array back to the
     * allocator once the function it is sent to has consumed it. {@code Tensor.of} gives no such
     * promise, so its arrays are never reused.
     */
    protected static Tensor newGradient(NDArray made) {
        Tensor gradient = Tensor.of(made);
        gradient.markFresh();
        return gradient;
    }

    /** The operation's name in messages and graph exports: the class name unless overridden. */
    @Override
    public String name() {
        return getClass().getSimpleName();
    }

    /** Whether the output is a view sharing the first input's storage (it then shares its version counter). */
    boolean isView() {
        return false;
    }

    /**
     * Runs the operation on {@code inputs}: computes the output and, when gradients are being
     * recorded and an input requires one, links the output into the graph.
     */
    public final Tensor apply(Tensor... inputs) {
        if (applied) {
            throw new IllegalStateException(name() + ": this Function instance was already applied; a Function is one"
                    + " node of the graph, so create a new instance for each call");
        }
        applied = true;
        NDArray[] arrays = new NDArray[inputs.length];
        boolean anyRequiresGrad = false;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new IllegalArgumentException(name() + ": input " + i + " is null");
            }
            arrays[i] = inputs[i].data();
            anyRequiresGrad |= inputs[i].requiresGrad();
        }
        boolean recording = anyRequiresGrad && GradMode.isEnabled();
        Context ctx = new Context(this, inputs, recording);
        NDArray out;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            out = forward(ctx, arrays);
        }
        if (out == null) {
            throw new IllegalStateException(name() + ".forward returned null");
        }
        boolean anomaly = GradMode.isAnomalyDetectionEnabled();
        if (anomaly) {
            creationSite = Anomaly.userCallSite();
            Anomaly.checkForward(this, arrays, out);
        }
        Tensor result = new Tensor(out, recording, isView() ? inputs[0] : null);
        if (!recording && !isView() && !sharesStorage(out, arrays)) {
            result.markFresh();
        }
        if (recording) {
            next = new Node[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                next[i] = inputs[i].gradientNode();
            }
            ctx.resolve(result);
            context = ctx;
            outputShape = out.shape();
            result.setGradFn(this);
        }
        return result;
    }

    private static boolean sharesStorage(NDArray out, NDArray[] inputs) {
        for (NDArray input : inputs) {
            if (input.storage() == out.storage()) {
                return true;
            }
        }
        return false;
    }

    @Override
    final Tensor[] propagate(Tensor gradOutput) {
        Tensor[] grads = backward(context, gradOutput);
        if (grads == null || grads.length != next.length) {
            throw new IllegalStateException(name() + ".backward returned " + (grads == null ? "null" : grads.length
                    + " gradients") + " but the operation has " + next.length + " inputs");
        }
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null && next[i] != null && !Arrays.equals(grads[i].shape(), context.inputShape(i))) {
                throw new IllegalStateException(name() + ".backward returned a gradient of shape "
                        + Arrays.toString(grads[i].shape()) + " for input " + i + " of shape "
                        + Arrays.toString(context.inputShape(i)));
            }
            if (grads[i] != null && next[i] != null && grads[i].dtype() != context.inputDtype(i)) {
                grads[i] = grads[i].astype(context.inputDtype(i));
            }
        }
        return grads;
    }

    @Override
    void release() {
        super.release();
        context.release();
    }

    /** This node's context, for the engine to offer gradient buffers and read what backward claimed. */
    Context context() {
        return context;
    }

    /** The output's shape, for graph export. */
    int[] outputShape() {
        return outputShape;
    }

    /** Where the user's code created this node (recorded only under anomaly detection). */
    String creationSite() {
        return creationSite;
    }
}
