package dev.descent.core;

/**
 * The kernels a device provides. {@link NDArray} checks arguments, broadcasts, promotes dtypes and
 * allocates results; it then calls one of these primitives, so a backend never validates user
 * input and never sees two dtypes where one is expected. A new device implements this interface
 * and registers a {@link BackendProvider}.
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
     * One SGD update in place (the formula of {@code dev.descent.optim.SGD}):
     * g = grad + weightDecay param; with momentum, buffer = g on the first step, else
     * momentum buffer + (1 - dampening) g, and g = g + momentum buffer (nesterov) or buffer;
     * then param = param - lr g. {@code buffer} is null without momentum. All arrays share one
     * shape and dtype. This default composes primitives; a backend may override it with one pass.
     */
    default void sgdUpdate(NDArray param, NDArray grad, NDArray buffer, boolean firstStep, double lr, double momentum,
                           double dampening, double weightDecay, boolean nesterov) {
        NDArray g = weightDecay != 0 ? grad.add(param.mul(weightDecay)) : grad;
        if (buffer != null) {
            if (firstStep) {
                buffer.copyFrom(g);
            } else {
                buffer.muli(momentum).addi(g.mul(1 - dampening));
            }
            g = nesterov ? g.add(buffer.mul(momentum)) : buffer;
        }
        param.subi(g.mul(lr));
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
     * {@link #adamUpdate} with the learning rate and the step count (already incremented) read
     * from 0-d FLOAT64 arrays on the device, so that a step captured into a graph stays right as
     * they change: stepSize = lr / (1 - beta1<sup>step</sup>), sqrtBiasCorrection2 =
     * sqrt(1 - beta2<sup>step</sup>), decoupledDecay = 1 - lr &middot; decoupledWeightDecay (AdamW;
     * 0 for Adam). This default reads the two values back; device backends compute them on the
     * device.
     */
    default void capturableAdamUpdate(NDArray param, NDArray grad, NDArray average, NDArray squareAverage, NDArray maxSquare,
                                      NDArray lr, NDArray step, double beta1, double beta2, double eps, double weightDecay,
                                      double decoupledWeightDecay) {
        double rate = lr.item();
        double count = step.item();
        adamUpdate(param, grad, average, squareAverage, maxSquare, rate / (1 - Math.pow(beta1, count)), Math.sqrt(1 - Math.pow(beta2, count)),
                beta1, beta2, eps, weightDecay, 1 - rate * decoupledWeightDecay);
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
     * Batch normalization with batch statistics, of x [N, C] over its N rows:
     * <pre>
     *   mean_c = &Sigma;&#x2099; x_nc / N      var_c = &Sigma;&#x2099; (x_nc - mean_c)&sup2; / N      invStd_c = 1 / sqrt(var_c + eps)
     *   out_nc = (x_nc - mean_c) invStd_c weight_c + bias_c
     * </pre>
     * Writes {@code out} [N, C], {@code mean} and {@code invStd} [C]; {@code weight} and {@code bias}
     * [C] may be null (1 and 0). All arrays share x's dtype. This default composes primitives; a
     * backend may override it with a pass or two over x.
     */
    default void batchNormForward(NDArray x, NDArray weight, NDArray bias, double eps, NDArray out, NDArray mean, NDArray invStd) {
        NDArray batchMean = x.mean(0);
        NDArray centered = x.sub(batchMean);
        NDArray inverse = centered.mul(centered).mean(0).add(eps).rsqrt();
        NDArray y = centered.mul(inverse);
        if (weight != null) {
            y = y.mul(weight);
        }
        if (bias != null) {
            y = y.add(bias);
        }
        out.copyFrom(y);
        mean.copyFrom(batchMean);
        invStd.copyFrom(inverse);
    }

    /**
     * The gradients of {@link #batchNormForward} from {@code grad} = dL/dout [N, C], with
     * x&#x302; = (x - mean) invStd:
     * <pre>
     *   gradBias_c = &Sigma;&#x2099; grad_nc        gradWeight_c = &Sigma;&#x2099; grad_nc x&#x302;_nc
     *   gradInput_nc = weight_c invStd_c (grad_nc - gradBias_c / N - x&#x302;_nc gradWeight_c / N)
     * </pre>
     * {@code weight} may be null (1); each of the three outputs may be null when not wanted. This
     * default composes primitives; a backend may override it with two passes.
     */
    default void batchNormBackward(NDArray grad, NDArray x, NDArray mean, NDArray invStd, NDArray weight, NDArray gradInput,
                                   NDArray gradWeight, NDArray gradBias) {
        int n = x.shape()[0];
        NDArray normalized = x.sub(mean).mul(invStd);
        NDArray sumGrad = grad.sum(0);
        NDArray sumGradNormalized = grad.mul(normalized).sum(0);
        if (gradInput != null) {
            NDArray scale = weight != null ? invStd.mul(weight) : invStd;
            gradInput.copyFrom(grad.sub(sumGrad.div(n)).sub(normalized.mul(sumGradNormalized.div(n))).mul(scale));
        }
        if (gradWeight != null) {
            gradWeight.copyFrom(sumGradNormalized);
        }
        if (gradBias != null) {
            gradBias.copyFrom(sumGrad);
        }
    }

    /**
     * One Adam or AdamW update in place (the formulas of {@code dev.descent.optim.Adam} and
     * {@code AdamW}): param = param (1 - lr decoupledWeightDecay); g = grad + weightDecay param;
     * m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2; with {@code maxSquare} (AMSGrad)
     * maxSquare = max(maxSquare, v) replaces v below; param = param - stepSize m / (sqrt(v) /
     * sqrtBiasCorrection2 + eps). This default composes primitives; a backend may override it.
     */
    default void adamUpdate(NDArray param, NDArray grad, NDArray average, NDArray squareAverage, NDArray maxSquare,
                            double stepSize, double sqrtBiasCorrection2, double beta1, double beta2, double eps,
                            double weightDecay, double decoupledDecay) {
        if (decoupledDecay != 1) {
            param.muli(decoupledDecay);
        }
        NDArray g = weightDecay != 0 ? grad.add(param.mul(weightDecay)) : grad;
        average.muli(beta1).addi(g.mul(1 - beta1));
        squareAverage.muli(beta2).addcmuli(g, g, 1 - beta2);
        NDArray second = squareAverage;
        if (maxSquare != null) {
            maxSquare.copyFrom(maxSquare.maximum(squareAverage));
            second = maxSquare;
        }
        NDArray denominator = second.sqrt().divi(sqrtBiasCorrection2).addi(eps);
        param.addcdivi(average, denominator, -stepSize);
    }

    /**
     * Softmax cross-entropy of {@code logits} [N, C] against INT32 class indices {@code targets}
     * [N], the fused forward of {@code crossEntropy}:
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
}
