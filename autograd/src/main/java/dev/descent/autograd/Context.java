package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a {@link Function} keeps between its forward and its backward.
 *
 * <p>In {@code forward}, {@link #save} the arrays backward needs: an input array as received, the
 * output array you are about to return, or any intermediate. In {@code backward}, {@link #saved}
 * returns them as tensors: an input comes back as the input tensor itself and the output as the
 * output tensor, both still connected to the graph, so a backward written with tensor operations
 * can be differentiated again; an intermediate comes back as a constant.
 *
 * <p>Saved inputs and outputs carry a version check: if one was modified in place after it was
 * saved, {@link #saved} throws instead of returning a wrong gradient.
 */
public final class Context {
    private final Function function;
    /** The input tensors, needed only until {@link #resolve}; afterwards only their shapes and flags are kept. */
    private Tensor[] inputs;
    private final int[][] inputShapes;
    private final DType[] inputDtypes;
    private final boolean[] inputRequiresGrad;
    private final boolean recording;
    private List<NDArray> savedArrays = new ArrayList<>();
    private Tensor[] saved;
    private int[] savedVersions;
    /** Offered by the engine for one backward call: per input, the leaf gradient array it may add into, or null. */
    private NDArray[] gradientBuffers;
    private boolean[] claimed;

    Context(Function function, Tensor[] inputs, boolean recording) {
        this.function = function;
        this.inputs = inputs;
        this.recording = recording;
        inputShapes = new int[inputs.length][];
        inputDtypes = new DType[inputs.length];
        inputRequiresGrad = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            inputShapes[i] = inputs[i].shape();
            inputDtypes[i] = inputs[i].dtype();
            inputRequiresGrad[i] = inputs[i].requiresGrad();
        }
    }

    /** Keeps arrays for backward (nothing is kept when the graph is not being recorded). */
    public void save(NDArray... arrays) {
        if (recording) {
            savedArrays.addAll(Arrays.asList(arrays));
        }
    }

    /** The {@code index}-th saved value, as a tensor (see the class comment). */
    public Tensor saved(int index) {
        if (saved == null) {
            throw new IllegalStateException(function.name() + ": the values saved for backward have been freed."
                    + " To backward through the same graph a second time, pass retainGraph = true to the first backward");
        }
        if (index < 0 || index >= saved.length) {
            throw new IndexOutOfBoundsException(function.name() + ": saved value " + index + " requested, but "
                    + saved.length + " were saved");
        }
        Tensor tensor = saved[index];
        if (savedVersions[index] >= 0 && tensor.version() != savedVersions[index]) {
            throw new IllegalStateException(function.name() + ": a value it saved for backward (shape "
                    + Arrays.toString(tensor.shape()) + ") was modified in place afterwards (version "
                    + tensor.version() + ", saved at version " + savedVersions[index]
                    + "); use an out-of-place operation, or clone() the value before changing it");
        }
        return tensor;
    }

    /** How many values were saved. */
    public int savedCount() {
        return saved == null ? savedArrays.size() : saved.length;
    }

    /** Whether the gradient for input {@code index} is needed: backward may return null where it is not. */
    public boolean needsInputGrad(int index) {
        return inputRequiresGrad[index];
    }

    /** The shape of input {@code index}. */
    public int[] inputShape(int index) {
        return inputShapes[index].clone();
    }

    /** The dtype of input {@code index}. */
    public DType inputDtype(int index) {
        return inputDtypes[index];
    }

    /** The number of inputs. */
    public int inputCount() {
        return inputShapes.length;
    }

    /**
     * For a backward that can add its gradient for input {@code index} straight into the array
     * that gradient accumulates in, as a GEMM does with {@link NDArray#addmmi}: returns the input
     * leaf's {@code grad()} array when it may be written in place, else null. It may when the
     * input is a leaf that already holds a gradient of its own (kept by
     * {@code zeroGrad(false)} or a previous backward) and this is a plain {@code backward()}: not
     * {@link Autograd#grad}, not {@code createGraph}, not under anomaly detection. After a non-null
     * return the backward must add its whole gradient for that input into the array and return
     * null for the input; the engine counts it as delivered. This saves a gradient-sized temporary
     * per step: a weight gradient is the largest array a training step allocates.
     */
    public NDArray claimGradientBuffer(int index) {
        if (index < 0 || index >= inputShapes.length) {
            throw new IndexOutOfBoundsException(function.name() + ": claimGradientBuffer(" + index + ") asked, but the op has "
                    + inputShapes.length + " inputs");
        }
        if (gradientBuffers == null || gradientBuffers[index] == null) {
            return null;
        }
        claimed[index] = true;
        return gradientBuffers[index];
    }

    /** Set by the engine before backward: the arrays {@link #claimGradientBuffer} may hand out. */
    void offerGradientBuffers(NDArray[] buffers) {
        gradientBuffers = buffers;
        claimed = buffers == null ? null : new boolean[buffers.length];
    }

    /** Whether backward added its gradient for input {@code index} into the offered buffer. */
    boolean claimed(int index) {
        return claimed != null && claimed[index];
    }

    /** Turns the saved arrays into tensors once the output exists. */
    void resolve(Tensor output) {
        saved = new Tensor[savedArrays.size()];
        savedVersions = new int[saved.length];
        for (int s = 0; s < saved.length; s++) {
            NDArray array = savedArrays.get(s);
            Tensor match = array == output.data() ? output : null;
            for (int i = 0; i < inputs.length && match == null; i++) {
                if (inputs[i].data() == array) {
                    match = inputs[i];
                }
            }
            saved[s] = match != null ? match : Tensor.of(array);
            savedVersions[s] = match != null ? match.version() : -1;
        }
        savedArrays = null;
        inputs = null; // the graph must not keep the input tensors' values alive
    }

    void release() {
        gradientBuffers = null;
        saved = null;
        savedVersions = null;
        savedArrays = null;
    }
}
