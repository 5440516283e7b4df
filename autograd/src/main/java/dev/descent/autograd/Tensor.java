package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An {@link NDArray} that takes part in automatic differentiation: operations on tensors that
 * require gradients are recorded as they run (define-by-run), and {@link #backward()} walks the
 * record in reverse to fill {@link #grad()} of every leaf.
 *
 * <pre>{@code
 * Generator g = new Generator(0);
 * Tensor w = Tensor.randn(g, 3, 1).requiresGrad(true);
 * Tensor x = Tensor.randn(g, 8, 3);
 * Tensor loss = x.matmul(w).sub(1).square().mean();
 * loss.backward();
 * NDArray slope = w.grad().data();   // d loss / d w, shape [3, 1]
 * }</pre>
 *
 * <p>Operations return new tensors, as {@link NDArray}'s do, and the view operations share
 * storage. The methods ending in {@code i} modify a tensor in place; they are not recorded, so
 * they are refused on a tensor that requires gradients while recording is on (use them under
 * {@link GradMode#noGrad()}, as optimizers do). Each in-place change bumps a version counter
 * shared with the tensor's views; backward refuses values that changed after they were saved.
 */
public class Tensor {
    private NDArray data;
    private boolean requiresGrad;
    private Tensor grad;
    private Function gradFn;
    private GradientAccumulator accumulator;
    /**
     * Set on the output of an operation run without recording whose array is new (not a view, not
     * an input's): nothing but this tensor refers to the array, so backward may hand it to a
     * leaf's {@code grad} instead of copying it.
     */
    private boolean fresh;
    /** Shared by a tensor and every view of it: counts in-place modifications. */
    private final int[] version;

    Tensor(NDArray data, boolean requiresGrad, Tensor viewOf) {
        if (data == null) {
            throw new IllegalArgumentException("Tensor: data must not be null");
        }
        this.data = data;
        this.version = viewOf != null ? viewOf.version : new int[1];
        if (requiresGrad) {
            checkCanRequireGrad(data.dtype());
        }
        this.requiresGrad = requiresGrad;
    }

    /** A leaf tensor over {@code data}; for subclasses such as {@code Parameter}. */
    protected Tensor(NDArray data, boolean requiresGrad) {
        this(data, requiresGrad, null);
    }

    // ---------------------------------------------------------------- creation

    /** A leaf tensor that does not require grad, sharing {@code data}. */
    public static Tensor of(NDArray data) {
        return new Tensor(data, false, null);
    }

    public static Tensor of(float[] values, int... shape) { return of(NDArray.of(values, shape)); }
    public static Tensor of(double[] values, int... shape) { return of(NDArray.of(values, shape)); }
    public static Tensor of(int[] values, int... shape) { return of(NDArray.of(values, shape)); }
    public static Tensor scalar(double value) { return of(NDArray.scalar(value)); }
    public static Tensor scalar(DType dtype, double value) { return of(NDArray.scalar(dtype, value)); }
    public static Tensor zeros(int... shape) { return of(NDArray.zeros(shape)); }
    public static Tensor zeros(DType dtype, int... shape) { return of(NDArray.zeros(dtype, shape)); }
    public static Tensor ones(int... shape) { return of(NDArray.ones(shape)); }
    public static Tensor ones(DType dtype, int... shape) { return of(NDArray.ones(dtype, shape)); }
    public static Tensor full(double value, int... shape) { return of(NDArray.full(value, shape)); }
    public static Tensor full(DType dtype, double value, int... shape) { return of(NDArray.full(dtype, value, shape)); }
    public static Tensor arange(int end) { return of(NDArray.arange(end)); }
    public static Tensor linspace(DType dtype, double start, double end, int steps) { return of(NDArray.linspace(dtype, start, end, steps)); }
    public static Tensor eye(DType dtype, int n) { return of(NDArray.eye(dtype, n)); }
    public static Tensor rand(Generator generator, int... shape) { return of(NDArray.rand(generator, shape)); }
    public static Tensor rand(DType dtype, Generator generator, int... shape) { return of(NDArray.rand(dtype, generator, shape)); }
    public static Tensor randn(Generator generator, int... shape) { return of(NDArray.randn(generator, shape)); }
    public static Tensor randn(DType dtype, Generator generator, int... shape) { return of(NDArray.randn(dtype, generator, shape)); }

    // ---------------------------------------------------------------- properties and gradients

    /** The values (shared, not copied). */
    public NDArray data() {
        return data;
    }

    public DType dtype() {
        return data.dtype();
    }

    public int[] shape() {
        return data.shape();
    }

    public int shape(int dim) {
        return data.shape(dim);
    }

    public int rank() {
        return data.rank();
    }

    public int size() {
        return data.size();
    }

    public Device device() {
        return data.device();
    }

    /** The value of a one-element tensor. */
    public double item() {
        return data.item();
    }

    /** Whether gradients are computed for this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf as needing its gradient (or not); returns this. Only floating-point leaves can
     * require gradients; a computed tensor's flag follows from its inputs.
     */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can change this flag; this tensor was computed by "
                    + gradFn.name() + " (use detach() for a leaf copy)");
        }
        if (requires) {
            checkCanRequireGrad(dtype());
        }
        requiresGrad = requires;
        return this;
    }

    private static void checkCanRequireGrad(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("requiresGrad: only floating-point tensors can require gradients, got "
                    + dtype + " (convert with astype(DType.FLOAT32))");
        }
    }

    /** The gradient accumulated by backward into this leaf, or null if there is none yet. */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient: {@code grad()} is null until the next backward (same as {@code zeroGrad(true)}). */
    public void zeroGrad() {
        grad = null;
    }

    /**
     * Clears the accumulated gradient, as PyTorch's {@code zero_grad(set_to_none)}: with
     * {@code setToNone} it is forgotten; without, its array is kept and filled with zeros, so the
     * next backward adds into it in place (a tensor the caller still holds from {@code grad()}
     * sees the new values) and a training step allocates no new gradient arrays. A gradient that
     * itself requires grad (made by {@code createGraph}) is replaced by detached zeros.
     */
    public void zeroGrad(boolean setToNone) {
        if (setToNone || grad == null) {
            grad = null;
        } else if (grad.requiresGrad()) {
            grad = Tensor.of(grad.data().zerosLike());
        } else {
            grad.data().fill(0);
        }
    }

    /**
     * Sets this leaf's gradient, as assigning {@code p.grad} does in PyTorch (null forgets it): for
     * code that computes gradients itself, or that keeps them in buffers of its own, such as a
     * training step replayed from a captured graph. Later backward passes add to it.
     */
    public void setGrad(Tensor gradient) {
        if (gradient != null && (!Arrays.equals(gradient.shape(), shape()) || gradient.dtype() != dtype()
                || !gradient.device().equals(device()))) {
            throw new IllegalArgumentException("setGrad: the gradient must match the tensor: expected " + Arrays.toString(shape()) + " "
                    + dtype() + " on " + device() + ", got " + Arrays.toString(gradient.shape()) + " " + gradient.dtype() + " on "
                    + gradient.device());
        }
        grad = gradient;
    }

    /** Whether this tensor was created by the user rather than computed by a recorded operation. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The name of the operation that computed this tensor, or null for a leaf. */
    public String gradFnName() {
        return gradFn == null ? null : gradFn.name();
    }

    /** A leaf sharing this tensor's data, cut off from the graph. */
    public Tensor detach() {
        return new Tensor(data, false, this);
    }

    /** The number of in-place modifications of this tensor's storage so far. */
    public int version() {
        return version[0];
    }

    void setGradFn(Function function) {
        gradFn = function;
    }

    Function gradFn() {
        return gradFn;
    }

    /** The node gradients for this tensor flow into: its creator, its accumulator as a leaf, or null. */
    Node gradientNode() {
        if (!requiresGrad) {
            return null;
        }
        if (gradFn != null) {
            return gradFn;
        }
        if (accumulator == null) {
            accumulator = new GradientAccumulator(this);
        }
        return accumulator;
    }

    /**
     * Adds a gradient from backward. Without {@code createGraph} the sum is kept in a buffer of
     * this tensor's own, so nothing else aliases it: the first gradient becomes that buffer when
     * {@code handedOver} (the engine holds the only reference to its array), else it is copied;
     * later ones are added in place. With {@code createGraph} it stays connected to the graph.
     */
    void accumulateGrad(Tensor incoming, boolean handedOver) {
        if (GradMode.isEnabled()) {
            grad = grad == null ? incoming : grad.add(incoming);
        } else if (grad == null && handedOver) {
            incoming.fresh = false;
            grad = incoming;
        } else if (grad == null || grad.requiresGrad()) {
            NDArray sum = grad == null ? incoming.data().copy() : grad.data().add(incoming.data());
            grad = Tensor.of(sum);
        } else {
            grad.data().addi(incoming.data());
        }
    }

    /** The array a backward may add this leaf's gradient into in place, or null when there is none to write. */
    NDArray writableGradient() {
        return grad != null && !grad.requiresGrad() && grad.data().isContiguous() ? grad.data() : null;
    }

    /**
     * Calls {@code hook} with this leaf each time a backward pass has finished accumulating its
     * gradient into {@link #grad()} (PyTorch's {@code register_post_accumulate_grad_hook}): the
     * moment data-parallel training can start reducing this gradient while backward goes on with
     * the layers before it. Hooks run on the thread that runs backward, in registration order; not
     * for {@link Autograd#grad}, which leaves {@code grad()} alone. Returns the handle that removes
     * the hook.
     *
     * <pre>{@code
     * AutoCloseable handle = weight.registerPostAccumulateGradHook(w -> group.allReduce(w.grad().data(), ReduceOp.MEAN));
     * }</pre>
     */
    public AutoCloseable registerPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook) {
        if (hook == null) {
            throw new IllegalArgumentException("registerPostAccumulateGradHook: the hook is null");
        }
        if (!requiresGrad() || !isLeaf()) {
            throw new IllegalStateException("registerPostAccumulateGradHook: only a leaf that requires grad accumulates a gradient; this"
                    + " tensor " + (requiresGrad() ? "is the result of an operation" : "does not require grad"));
        }
        GradientAccumulator accumulator = (GradientAccumulator) gradientNode();
        accumulator.hooks.add(hook);
        return () -> accumulator.hooks.remove(hook);
    }

    /**
     * Moves a leaf's values (and its gradient, if any) to {@code device} in place, keeping the
     * object: what {@code Module.to} does to its parameters, as PyTorch does with
     * {@code param.data}. Views taken earlier keep the old values.
     */
    protected void moveDataTo(Device device) {
        if (gradFn != null) {
            throw new IllegalStateException("moveDataTo: only a leaf tensor's data can be moved, this one was computed by "
                    + gradFn.name());
        }
        data = data.to(device);
        if (grad != null) {
            grad = Tensor.of(grad.data().to(device));
        }
    }

    void markFresh() {
        fresh = true;
    }

    boolean isFresh() {
        return fresh;
    }

    // ---------------------------------------------------------------- backward

    /**
     * Backpropagates from this one-element tensor (a loss): d this / d leaf is added to each leaf's
     * grad. Inside {@link GradMode#differentiableBackward()} it records its own graph.
     */
    public void backward() {
        if (size() != 1) {
            throw new IllegalArgumentException("backward: a gradient can be created implicitly only for a one-element"
                    + " tensor, but this one has shape " + Arrays.toString(shape()) + "; pass gradOutput");
        }
        backward(Tensor.of(data.onesLike()));
    }

    /** Backpropagates {@code gradOutput} (the gradient of some scalar with respect to this tensor). */
    public void backward(Tensor gradOutput) {
        boolean differentiable = GradMode.isBackwardDifferentiable();
        backward(gradOutput, differentiable, differentiable);
    }

    /**
     * Backpropagates {@code gradOutput}. {@code retainGraph} keeps the saved values for another
     * backward through the same graph; {@code createGraph} records the backward itself, so the
     * gradients can be differentiated again (it implies keeping the graph).
     */
    public void backward(Tensor gradOutput, boolean retainGraph, boolean createGraph) {
        Engine.backward(this, gradOutput, retainGraph || createGraph, createGraph);
    }

    // ---------------------------------------------------------------- arithmetic

    public Tensor add(Tensor other) { return new ArithmeticOps.Add().apply(this, other); }
    public Tensor sub(Tensor other) { return new ArithmeticOps.Sub().apply(this, other); }
    public Tensor mul(Tensor other) { return new ArithmeticOps.Mul().apply(this, other); }
    public Tensor div(Tensor other) { return new ArithmeticOps.Div().apply(this, other); }
    /** Elementwise power with a tensor exponent (d/d exponent uses log(this): keep the base positive). */
    public Tensor pow(Tensor exponent) { return new ArithmeticOps.Pow().apply(this, exponent); }
    public Tensor add(double value) { return add(constant(value)); }
    public Tensor sub(double value) { return sub(constant(value)); }
    public Tensor mul(double value) { return mul(constant(value)); }
    public Tensor div(double value) { return div(constant(value)); }
    public Tensor pow(double exponent) { return new ArithmeticOps.PowScalar(exponent).apply(this); }
    public Tensor neg() { return new ArithmeticOps.Neg().apply(this); }
    public Tensor square() { return mul(this); }
    public Tensor reciprocal() { return pow(-1); }

    private Tensor constant(double value) {
        return Tensor.of(NDArray.empty(dtype().toFloatingPoint(), new int[0], device()).fill(value));
    }

    // ---------------------------------------------------------------- elementwise functions

    public Tensor exp() { return new UnaryOps.Exp().apply(this); }
    public Tensor log() { return new UnaryOps.Log().apply(this); }
    public Tensor log1p() { return new UnaryOps.Log1p().apply(this); }
    public Tensor sqrt() { return new UnaryOps.Sqrt().apply(this); }
    /** |x|, with gradient sign(x) (0 at 0). */
    public Tensor abs() { return new UnaryOps.Abs().apply(this); }
    /** Each element limited to [min, max]; the gradient passes where min &lt;= x &lt;= max. */
    public Tensor clamp(double min, double max) { return new UnaryOps.Clamp(min, max).apply(this); }
    /** max(x, 0); gradient 1 for x &gt; 0, else 0. */
    public Tensor relu() { return new UnaryOps.Relu().apply(this); }
    public Tensor sigmoid() { return new UnaryOps.Sigmoid().apply(this); }
    public Tensor tanh() { return new UnaryOps.Tanh().apply(this); }
    public Tensor erf() { return new UnaryOps.Erf().apply(this); }
    public Tensor sin() { return new UnaryOps.Sin().apply(this); }
    public Tensor cos() { return new UnaryOps.Cos().apply(this); }
    public Tensor tan() { return new UnaryOps.Tan().apply(this); }
    public Tensor atan() { return new UnaryOps.Atan().apply(this); }

    /** x for x &gt; 0, else {@code negativeSlope * x}. */
    public Tensor leakyRelu(double negativeSlope) {
        return where(data.gt(0), this, mul(negativeSlope));
    }

    /** log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)) so it never overflows. */
    public Tensor softplus() {
        return relu().add(abs().neg().exp().log1p());
    }

    /** The exact GELU, x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)), as PyTorch's default. */
    public Tensor gelu() {
        return mul(0.5).mul(div(Math.sqrt(2)).erf().add(1));
    }

    /** exp(x) / sum(exp(x)) along {@code dim}, computed stably in one fused op. */
    public Tensor softmax(int dim) { return new SoftmaxOps.Softmax(dim).apply(this); }

    /** x - logSumExp(x) along {@code dim}, computed stably in one fused op. */
    public Tensor logSoftmax(int dim) { return new SoftmaxOps.LogSoftmax(dim).apply(this); }

    /** The same values as another dtype; the gradient is converted back. */
    public Tensor astype(DType dtype) {
        return dtype == dtype() ? this : new UnaryOps.Cast(dtype).apply(this);
    }

    /** A copy on {@code device}; the gradient is copied back. */
    public Tensor to(Device device) {
        return device.equals(device()) ? this : new UnaryOps.ToDevice(device).apply(this);
    }

    /** A differentiable copy that shares nothing with this tensor. */
    public Tensor copy() {
        return new UnaryOps.Copy().apply(this);
    }

    // ---------------------------------------------------------------- matrix products

    /** The matrix product with NumPy's rules (see {@link NDArray#matmul}); differentiable in both operands. */
    public Tensor matmul(Tensor other) {
        if (rank() == 0 || other.rank() == 0) {
            data.matmul(other.data); // throws the error that names both shapes
        }
        Tensor left = rank() == 1 ? unsqueeze(0) : this;
        Tensor right = other.rank() == 1 ? other.unsqueeze(1) : other;
        Tensor product = new MatMulOp().apply(left, right);
        if (rank() == 1) {
            product = product.squeeze(-2);
        }
        if (other.rank() == 1) {
            product = product.squeeze(-1);
        }
        return product;
    }

    // ---------------------------------------------------------------- reductions

    public Tensor sum() { return sum(allDims(), false); }
    public Tensor sum(int dim) { return sum(new int[] {dim}, false); }
    public Tensor sum(int[] dims, boolean keepDim) { return new ReductionOps.Sum(dims, keepDim).apply(this); }
    /** The sum over {@code dim}, keeping it with size 1 when {@code keepDim} (as {@code x.sum(dim, keepdim)}). */
    public Tensor sum(int dim, boolean keepDim) { return sum(new int[] {dim}, keepDim); }

    public Tensor mean() { return mean(allDims(), false); }
    public Tensor mean(int dim) { return mean(new int[] {dim}, false); }
    public Tensor mean(int[] dims, boolean keepDim) { return sum(dims, keepDim).div(ReductionOps.count(this, dims)); }
    /** The mean over {@code dim}, keeping it with size 1 when {@code keepDim}. */
    public Tensor mean(int dim, boolean keepDim) { return mean(new int[] {dim}, keepDim); }

    /**
     * The largest element; the gradient is shared equally among all elements equal to the maximum
     * (as {@code torch.amax}).
     */
    public Tensor max() { return max(allDims(), false); }
    public Tensor max(int dim) { return max(new int[] {dim}, false); }
    public Tensor max(int[] dims, boolean keepDim) { return new ReductionOps.Extreme(dims, keepDim, true).apply(this); }
    /** The largest element along {@code dim} (values only, as {@code torch.amax}), keeping it with size 1 when {@code keepDim}. */
    public Tensor max(int dim, boolean keepDim) { return max(new int[] {dim}, keepDim); }

    /** The smallest element; the gradient is shared equally among ties. */
    public Tensor min() { return min(allDims(), false); }
    public Tensor min(int dim) { return min(new int[] {dim}, false); }
    public Tensor min(int[] dims, boolean keepDim) { return new ReductionOps.Extreme(dims, keepDim, false).apply(this); }
    /** The smallest element along {@code dim} (values only, as {@code torch.amin}), keeping it with size 1 when {@code keepDim}. */
    public Tensor min(int dim, boolean keepDim) { return min(new int[] {dim}, keepDim); }

    /** The unbiased variance of all elements. */
    public Tensor var() { return var(allDims(), 1, false); }
    /** The sum of squared deviations from the mean over {@code dims}, divided by N - correction. */
    public Tensor var(int[] dims, int correction, boolean keepDim) {
        if (correction < 0) {
            throw new IllegalArgumentException("var: correction must be >= 0, got " + correction);
        }
        Tensor centered = sub(mean(dims, true));
        return centered.square().sum(dims, keepDim).div(Math.max(0, ReductionOps.count(this, dims) - correction));
    }
    /** The unbiased variance (correction 1, as {@link #var()}) along {@code dim}, keeping it with size 1 when {@code keepDim}. */
    public Tensor var(int dim, boolean keepDim) { return var(new int[] {dim}, 1, keepDim); }

    public Tensor std() { return std(allDims(), 1, false); }
    public Tensor std(int[] dims, int correction, boolean keepDim) { return var(dims, correction, keepDim).sqrt(); }
    /** The unbiased standard deviation (correction 1, as {@link #std()}) along {@code dim}, keeping it with size 1 when {@code keepDim}. */
    public Tensor std(int dim, boolean keepDim) { return std(new int[] {dim}, 1, keepDim); }

    public Tensor logSumExp() { return logSumExp(allDims(), false); }
    public Tensor logSumExp(int dim) { return logSumExp(new int[] {dim}, false); }
    /** log(sum(exp(x))) over {@code dims}: shifted by the (constant) maximum so it never overflows. */
    public Tensor logSumExp(int[] dims, boolean keepDim) {
        NDArray max = data.max(dims, true);
        NDArray shift = NDArray.where(max.abs().lt(Double.POSITIVE_INFINITY), max, max.zerosLike());
        Tensor shiftTensor = Tensor.of(shift);
        Tensor result = sub(shiftTensor).exp().sum(dims, true).log().add(shiftTensor);
        return keepDim ? result : result.reshape(ReductionOps.withoutDims(shape(), dims));
    }
    /** log(sum(exp(x))) along {@code dim}, keeping it with size 1 when {@code keepDim}. */
    public Tensor logSumExp(int dim, boolean keepDim) { return logSumExp(new int[] {dim}, keepDim); }

    public Tensor norm(double p) { return norm(p, allDims(), false); }
    /** The p-norm over {@code dims}: p = 1, 2, another positive value, or infinity. */
    public Tensor norm(double p, int[] dims, boolean keepDim) {
        if (!(p > 0)) {
            throw new IllegalArgumentException("norm: p must be positive (1, 2, a positive number or infinity), got " + p);
        }
        if (p == Double.POSITIVE_INFINITY) {
            return abs().max(dims, keepDim);
        }
        if (p == 1) {
            return abs().sum(dims, keepDim);
        }
        if (p == 2) {
            return square().sum(dims, keepDim).sqrt();
        }
        return abs().pow(p).sum(dims, keepDim).pow(1.0 / p);
    }
    /** The p-norm along {@code dim}, keeping it with size 1 when {@code keepDim}. */
    public Tensor norm(double p, int dim, boolean keepDim) { return norm(p, new int[] {dim}, keepDim); }

    /** Indices of the largest elements along {@code dim} (INT32; not differentiable). */
    public Tensor argmax(int dim) {
        return Tensor.of(data.argmax(dim));
    }

    private int[] allDims() {
        int[] dims = new int[rank()];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = d;
        }
        return dims;
    }

    // ---------------------------------------------------------------- views and joins

    public Tensor reshape(int... shape) { return new ViewOps.Reshape(shape).apply(this); }
    public Tensor flatten() { return reshape(-1); }
    public Tensor permute(int... order) { return new ViewOps.Permute(order).apply(this); }

    public Tensor transpose(int dim0, int dim1) {
        data.transpose(dim0, dim1); // validates with NDArray's message
        int[] order = allDims();
        int a = Math.floorMod(dim0, order.length);
        int b = Math.floorMod(dim1, order.length);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** The transpose of a matrix (this tensor when it has fewer than 2 dimensions). */
    public Tensor t() {
        data.t(); // validates the rank
        return rank() < 2 ? this : transpose(0, 1);
    }

    public Tensor squeeze() { return reshape(data.squeeze().shape()); }
    public Tensor squeeze(int dim) { return reshape(data.squeeze(dim).shape()); }
    public Tensor unsqueeze(int dim) { return reshape(data.unsqueeze(dim).shape()); }
    public Tensor expand(int... shape) { return new ViewOps.Expand(shape).apply(this); }
    public Tensor narrow(int dim, int start, int length) {
        data.narrow(dim, start, length); // validates with NDArray's message
        return slice(dim, start, start + length, 1);
    }
    public Tensor slice(int dim, int start, int end, int step) { return new ViewOps.Slice(dim, start, end, step).apply(this); }
    public Tensor select(int dim, int index) { return new ViewOps.Select(dim, index).apply(this); }

    /** Joins tensors of equal shape except along {@code dim}. */
    public static Tensor concat(int dim, Tensor... tensors) {
        return new ViewOps.Concat(dim).apply(tensors);
    }

    /** Joins tensors of equal shape along a new dimension {@code dim}. */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("stack: expected at least one tensor");
        }
        Tensor[] expanded = new Tensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].shape(), tensors[0].shape())) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Arrays.toString(tensors[i].shape())
                        + " but tensor 0 has shape " + Arrays.toString(tensors[0].shape()) + " (all must be equal)");
            }
            expanded[i] = tensors[i].unsqueeze(dim);
        }
        return concat(dim, expanded);
    }

    /** Consecutive pieces of {@code splitSize} along {@code dim} (the last may be shorter). */
    public List<Tensor> split(int splitSize, int dim) {
        List<Tensor> pieces = new ArrayList<>();
        int start = 0;
        for (NDArray piece : data.split(splitSize, dim)) {
            int length = piece.shape(dim);
            pieces.add(narrow(dim, start, length));
            start += length;
        }
        return pieces;
    }

    /** Consecutive pieces with the given sizes along {@code dim}. */
    public List<Tensor> split(int[] sizes, int dim) {
        data.split(sizes, dim); // validates the sizes
        List<Tensor> pieces = new ArrayList<>();
        int start = 0;
        for (int size : sizes) {
            pieces.add(narrow(dim, start, size));
            start += size;
        }
        return pieces;
    }

    // ---------------------------------------------------------------- indexing and selection

    /** {@code out[i][j] = this[i][index[i][j]]} for {@code dim = 1}; index is an INT32 array. */
    public Tensor gather(int dim, NDArray index) { return new IndexOps.Gather(dim, index).apply(this); }

    /** A copy with {@code source} added at the positions {@code index} names along {@code dim}. */
    public Tensor scatterAdd(int dim, NDArray index, Tensor source) { return new IndexOps.ScatterAdd(dim, index).apply(this, source); }

    /** The slices named by a 1-d INT32 {@code index} along {@code dim}. */
    public Tensor indexSelect(int dim, NDArray index) { return new IndexOps.IndexSelect(dim, index).apply(this); }

    /** {@code condition != 0 ? a : b} elementwise, with broadcasting; differentiable in a and b. */
    public static Tensor where(NDArray condition, Tensor a, Tensor b) { return new IndexOps.Where(condition).apply(a, b); }

    // ---------------------------------------------------------------- in place (not recorded)

    /** {@code this += other}; returns this. */
    public Tensor addi(Tensor other) { return inPlace("addi").afterWrite(data.addi(other.data)); }
    /** {@code this -= other}; returns this. */
    public Tensor subi(Tensor other) { return inPlace("subi").afterWrite(data.subi(other.data)); }
    /** {@code this *= other}; returns this. */
    public Tensor muli(Tensor other) { return inPlace("muli").afterWrite(data.muli(other.data)); }
    /** {@code this /= other}; returns this. */
    public Tensor divi(Tensor other) { return inPlace("divi").afterWrite(data.divi(other.data)); }
    public Tensor addi(double value) { return inPlace("addi").afterWrite(data.addi(value)); }
    public Tensor subi(double value) { return inPlace("subi").afterWrite(data.subi(value)); }
    public Tensor muli(double value) { return inPlace("muli").afterWrite(data.muli(value)); }
    public Tensor divi(double value) { return inPlace("divi").afterWrite(data.divi(value)); }
    /** Sets every element to {@code value}; returns this. */
    public Tensor fill(double value) { return inPlace("fill").afterWrite(data.fill(value)); }
    /** Copies {@code source}'s values into this tensor; returns this. */
    public Tensor copyFrom(Tensor source) { return inPlace("copyFrom").afterWrite(data.copyFrom(source.data)); }

    private Tensor inPlace(String op) {
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place operations are not recorded, so they are refused on a tensor"
                    + " that requires grad while recording is on; use the out-of-place form, or run under GradMode.noGrad()");
        }
        return this;
    }

    private Tensor afterWrite(NDArray ignored) {
        version[0]++;
        return this;
    }

    // ---------------------------------------------------------------- comparisons (not differentiable)

    public Tensor gt(double value) { return Tensor.of(data.gt(value)); }
    public Tensor lt(double value) { return Tensor.of(data.lt(value)); }
    public Tensor eq(Tensor other) { return Tensor.of(data.eq(other.data)); }

    @Override
    public String toString() {
        String flags = requiresGrad ? (gradFn != null ? ", gradFn=" + gradFn.name() : ", requiresGrad") : "";
        return "Tensor" + data.toString().replaceFirst("^NDArray\\((.*?)\\)", "($1" + flags + ")");
    }
}
