package dev.descent.core;

/**
 * The kernels a device provides. {@link NDArray} checks arguments, broadcasts, promotes dtypes and
 * allocates results; it then calls one of these primitives, so a backend never validates user
 * input and never sees two dtypes where one is expected. A new device implements this interface
 * and registers a {@link BackendProvider}; the CPU's is {@link dev.descent.core.cpu.CpuBackend}.
 * Fused forms of longer compositions (optimizer updates, batch normalization) sit behind
 * {@link #fused()}, with composed defaults.
 *
 * <p>Conventions for every method:
 * <ul>
 *   <li>Arrays are strided views: element {@code (i0, i1, ...)} of {@code x} is at
 *       {@code x.offset() + i0 * x.strides()[0] + i1 * x.strides()[1] + ...} in {@code x.storage()}.
 *       Inputs may be non-contiguous or broadcast (stride 0). {@code out} may be non-contiguous but
 *       never has a stride of 0 on a dimension of size &gt; 1, and does not overlap the inputs unless
 *       it is exactly the same view as one of them (in-place updates).</li>
 *   <li>Inputs of {@code unary}, {@code binary} and {@code where} have {@code out}'s dtype and
 *       shape (the caller expanded them); comparison outputs, argmax/argmin outputs and indices are
 *       {@link DType#INT32}.</li>
 *   <li>Work is submitted in call order and results are visible to the next call on the same
 *       backend; only {@link #download} must wait for the work before it.</li>
 * </ul>
 */
public interface Backend {

    /** Elementwise functions of one argument. */
    enum UnaryOp {
        NEG, ABS, SIGN, SQUARE, RELU,
        // the rest are applied to floating-point arrays only
        EXP, EXPM1, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL, TANH, SIGMOID, ERF, SIN, COS, TAN, ATAN;

        /** Whether the op maps integers to integers, so an INT32 array may stay INT32. */
        public boolean closedOverIntegers() {
            return ordinal() <= RELU.ordinal();
        }
    }

    /** Elementwise functions of two arguments. */
    enum BinaryOp {
        ADD, SUB, MUL, MAXIMUM, MINIMUM,
        // the rest are applied to floating-point arrays only
        DIV, POW;

        /** Whether the op maps integers to integers, so INT32 arrays may stay INT32. */
        public boolean closedOverIntegers() {
            return ordinal() <= MINIMUM.ordinal();
        }
    }

    /** Elementwise comparisons; the result is 1 where true and 0 where false, as INT32. */
    enum CompareOp { EQ, NE, LT, LE, GT, GE }

    /** Reductions. SUM of no elements is 0, PROD is 1; MAX and MIN propagate NaN. */
    enum ReduceOp { SUM, PROD, MAX, MIN }

    /** Distributions for {@link #random}. */
    enum Distribution {
        /** Uniform on [a, b). */
        UNIFORM,
        /** Normal with mean a and standard deviation b. */
        NORMAL,
        /**
         * b with probability a, else 0. Drawn from a counter-based stream keyed by one draw of the
         * generator: element i (row-major) is 1 when the top 53 bits of SplitMix64's output for the
         * counter key + (i + 1) 0x9E3779B97F4A7C15 are, as a fraction of 2<sup>53</sup>, below a.
         * Every backend computes the same hash, so a seeded mask is the same on every device and
         * thread count.
         */
        BERNOULLI
    }

    /**
     * One operand of a (batched) matrix product, in row-major terms: with {@code transposed}
     * false, element (i, j) of matrix {@code b} is at {@code offset + b * batchStride + i * leadingDimension + j};
     * with {@code transposed} true the stored matrix is the transpose, so element (i, j) is at
     * {@code offset + b * batchStride + j * leadingDimension + i}. A batch stride of 0 reuses one
     * matrix for every batch.
     */
    record MatrixOperand(Storage storage, int offset, int leadingDimension, int batchStride, boolean transposed) {
    }

    /** The device this backend runs on. */
    Device device();

    /** A new zero-filled storage. */
    Storage allocate(DType dtype, int size);

    /** A new storage holding a copy of a {@code float[]}, {@code double[]} or {@code int[]}. */
    Storage upload(Object hostArray);

    /** The elements of {@code x} in row-major order, as a new {@code float[]}, {@code double[]} or {@code int[]}. */
    Object download(NDArray x);

    /** Sets every element of {@code out} to {@code value}. */
    void fill(NDArray out, double value);

    /**
     * Copies {@code source} into {@code out} (same shape), converting the dtype if they differ:
     * float to integer conversion rounds toward zero, as a Java cast does.
     */
    void copy(NDArray source, NDArray out);

    /** {@code out = op(x)}. */
    void unary(UnaryOp op, NDArray x, NDArray out);

    /** {@code out = op(a, b)}. */
    void binary(BinaryOp op, NDArray a, NDArray b, NDArray out);

    /** {@code out = op(a, b) ? 1 : 0}; {@code a} and {@code b} share a dtype, {@code out} is INT32. */
    void compare(CompareOp op, NDArray a, NDArray b, NDArray out);

    /** {@code out = condition != 0 ? a : b}; {@code condition} is INT32. */
    void where(NDArray condition, NDArray a, NDArray b, NDArray out);

    /**
     * Reduces {@code x} over the (sorted, distinct) dimensions {@code dims}; {@code out} has the
     * shape of {@code x} without those dimensions and the dtype of {@code x}.
     */
    void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out);

    /**
     * The index along {@code dim} of the first largest ({@code MAX}) or smallest ({@code MIN})
     * element, NaN counting as larger and smaller than everything; {@code out} is INT32 with the
     * shape of {@code x} without {@code dim}.
     */
    void argReduce(ReduceOp op, NDArray x, int dim, NDArray out);

    /**
     * {@code C[b] = A[b] @ B[b] (+ C[b] when accumulate)} for {@code b < batch}, where A is
     * {@code m x k}, B is {@code k x n} and C is {@code m x n}, all of one floating-point dtype;
     * C is never transposed.
     */
    void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate);

    /** {@code out[..., i, ...] = x[..., index[..., i, ...], ...]} along {@code dim}; indices are in range. */
    void gather(NDArray x, int dim, NDArray index, NDArray out);

    /** {@code out[..., index[..., i, ...], ...] += source[..., i, ...]} along {@code dim}; indices are in range. */
    void scatterAdd(NDArray out, int dim, NDArray index, NDArray source);

    /** Selects the slices {@code index[j]} (1-d, in range) of {@code x} along {@code dim}. */
    void indexSelect(NDArray x, int dim, NDArray index, NDArray out);

    /**
     * Fills {@code out} with independent draws. Bernoulli fills take one draw of {@code generator}
     * (see {@link Distribution#BERNOULLI}) and are the same on every backend. Uniform and normal
     * fills consume the generator in row-major order on the CPU; a device backend may instead key
     * a counter-based stream with one draw (CUDA: Philox4x32-10), so their values differ by device.
     */
    void random(Distribution distribution, double a, double b, Generator generator, NDArray out);

    // ---------------------------------------------------------------- optional fused kernels

    /**
     * The fused optimizer updates and batch normalization of this backend. This default is
     * {@link FusedKernels#COMPOSED}, built from the primitives; a backend that fuses some of them
     * returns its own implementation.
     */
    default FusedKernels fused() {
        return FusedKernels.COMPOSED;
    }

    /**
     * Adds &Sigma; x&sup2; over every element of a floating-point array, accumulated in float64,
     * to the 0-d FLOAT64 array {@code out} on the same device: a gradient norm every step then
     * needs no read-back, and the squares of several arrays (all of a model's gradients) add up
     * in one accumulator. The default squares and sums; backends fuse it.
     */
    default void sumOfSquares(NDArray x, NDArray out) {
        NDArray wide = x.astype(DType.FLOAT64);
        out.addi(wide.mul(wide).sum());
    }

    /**
     * Adds to the 0-d FLOAT64 array {@code counter} how many elements of the INT32 array {@code x}
     * lie outside [0, size), not counting those equal to {@code ignore} (pass 0 when nothing is
     * ignored): an index check that needs no read-back. The default composes comparisons;
     * backends fuse it.
     */
    default void countOutOfRange(NDArray x, int size, int ignore, NDArray counter) {
        NDArray outside = x.lt(0).add(x.ge(size)).mul(x.ne(ignore));
        counter.addi(outside.astype(DType.FLOAT64).sum());
    }

    /**
     * Softmax cross-entropy of {@code logits} [N, C] against INT32 class indices {@code targets}
     * [N], in one kernel where a loss would compose log-softmax and a gather:
     * <pre>
     *   probabilities_ic = exp(logits_ic - max_i) / &Sigma;_c exp(logits_ic - max_i)
     *   losses_i = log &Sigma;_c exp(logits_ic - max_i) - (logits_i,targets_i - max_i)
     * </pre>
     * A row whose target is {@code ignoreIndex} gets loss 0 (its probabilities are still written).
     * Targets are in [0, C) or ignoreIndex: the caller checks. {@code probabilities} [N, C] and
     * {@code losses} [N] share the logits' dtype. This default composes primitives; a backend may
     * override it with one pass per row.
     */
    default void softmaxCrossEntropy(NDArray logits, NDArray targets, int ignoreIndex, NDArray losses, NDArray probabilities) {
        NDArray shifted = logits.sub(logits.max(new int[] {1}, true));
        NDArray exponentials = shifted.exp();
        NDArray sums = exponentials.sum(new int[] {1}, true);
        probabilities.copyFrom(exponentials.div(sums));
        NDArray ignored = targets.eq(ignoreIndex);
        NDArray safe = NDArray.where(ignored, targets.zerosLike(), targets);
        NDArray picked = shifted.gather(1, safe.reshape(-1, 1)).reshape(-1);
        losses.copyFrom(sums.log().reshape(-1).sub(picked).mul(ignored.eq(0).astype(logits.dtype())));
    }

    /**
     * The gradient of {@link #softmaxCrossEntropy} with respect to the logits, given {@code
     * gradLosses} = dL/dlosses [N]: {@code gradLogits_ic = gradLosses_i (probabilities_ic -
     * [c = targets_i])}, and 0 in rows whose target is {@code ignoreIndex}. This default composes
     * primitives; a backend may override it with one pass.
     */
    default void softmaxCrossEntropyBackward(NDArray probabilities, NDArray targets, int ignoreIndex, NDArray gradLosses,
                                             NDArray gradLogits) {
        NDArray ignored = targets.eq(ignoreIndex);
        NDArray safe = NDArray.where(ignored, targets.zerosLike(), targets).reshape(-1, 1);
        NDArray oneHot = probabilities.zerosLike().scatterAddi(1, safe, gradLosses.reshape(-1, 1).onesLike());
        NDArray rowScale = gradLosses.mul(ignored.eq(0).astype(gradLosses.dtype())).reshape(-1, 1);
        gradLogits.copyFrom(probabilities.sub(oneHot).mul(rowScale));
    }

    /**
     * The 2-D convolution kernels of this backend (forward, input and weight gradients). This
     * default is {@link ConvolutionKernels#COMPOSED}, built from the primitives; a backend with
     * faster kernels returns its own implementation.
     */
    default ConvolutionKernels convolution() {
        return ConvolutionKernels.COMPOSED;
    }

    /**
     * The 2-D pooling kernels of this backend (max with argmax, average, adaptive average, and
     * their gradients). This default is {@link PoolingKernels#COMPOSED}, built from the
     * primitives; a backend with kernels of its own returns them.
     */
    default PoolingKernels pooling() {
        return PoolingKernels.COMPOSED;
    }
}
