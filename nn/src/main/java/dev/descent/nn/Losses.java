package dev.descent.nn;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.DeferredChecks;
import dev.descent.core.Device;
import dev.descent.core.NDArray;
import dev.descent.core.Shape;
import java.util.Arrays;

/**
 * Loss functions in functional form, with the definitions of {@code torch.nn.functional}. Each
 * computes per-element losses and then applies the {@link Reduction}.
 *
 * <pre>{@code
 * Tensor loss = Losses.crossEntropy(model.forward(images), labels);   // labels: INT32 [N]
 * loss.backward();
 * }</pre>
 */
public final class Losses {
    /** The target value that cross-entropy and NLL skip by default, as in PyTorch. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    private Losses() {
    }

    static Tensor reduce(Tensor losses, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
            case NONE -> losses;
        };
    }

    private static void checkSameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": input shape " + Arrays.toString(input.shape()) + " and target shape "
                    + Arrays.toString(target.shape()) + " must be equal");
        }
    }

    /** Mean squared error: (input - target)^2. */
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("mse", input, target);
        return reduce(input.sub(target).square(), reduction);
    }

    public static Tensor mse(Tensor input, Tensor target) {
        return mse(input, target, Reduction.MEAN);
    }

    /** Mean absolute error: |input - target|. */
    public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("l1", input, target);
        return reduce(input.sub(target).abs(), reduction);
    }

    /** Huber: d^2 / 2 where |d| &lt; delta, else delta (|d| - delta / 2), with d = input - target. */
    public static Tensor huber(Tensor input, Tensor target, double delta, Reduction reduction) {
        checkSameShape("huber", input, target);
        if (!(delta > 0)) {
            throw new IllegalArgumentException("huber: delta must be positive, got " + delta);
        }
        Tensor difference = input.sub(target);
        Tensor magnitude = difference.abs();
        Tensor quadratic = difference.square().mul(0.5);
        Tensor linear = magnitude.sub(0.5 * delta).mul(delta);
        return reduce(Tensor.where(magnitude.data().lt(delta), quadratic, linear), reduction);
    }

    /** Cross-entropy of logits {@code [N, C]} against INT32 class indices {@code [N]}, averaged. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, null, 0, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /**
     * Cross-entropy from logits, fused through a stable log-softmax. With class weights w, label
     * smoothing e and C classes, each sample i with target y contributes
     * <pre>
     *   (1 - e) * (-w[y] log p[i, y]) + (e / C) * (-sum_c w[c] log p[i, c])
     * </pre>
     * and MEAN divides the sum by sum_i w[y_i] (the number of samples without weights). Samples
     * whose target is {@code ignoreIndex} contribute nothing and are not counted.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, NDArray weight, double labelSmoothing, int ignoreIndex,
                                      Reduction reduction) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        checkClassification("crossEntropy", logits, targets, weight, ignoreIndex);
        if (weight == null && labelSmoothing == 0) {
            Tensor perSample = new SoftmaxCrossEntropyFunction(targets.data(), ignoreIndex).apply(logits);
            return reduceClassification(perSample, targets, null, ignoreIndex, reduction, logits.dtype());
        }
        Tensor logProbabilities = logits.logSoftmax(1);
        Tensor nll = nllTerms(logProbabilities, targets, weight, ignoreIndex);
        Tensor perSample = nll;
        if (labelSmoothing > 0) {
            int classes = logits.shape(1);
            Tensor weighted = weight == null ? logProbabilities : logProbabilities.mul(Tensor.of(weight.astype(logits.dtype())));
            Tensor smooth = weighted.sum(1).neg().mul(Tensor.of(kept(targets.data(), ignoreIndex, logits.dtype())));
            perSample = nll.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
        }
        return reduceClassification(perSample, targets, weight, ignoreIndex, reduction, logits.dtype());
    }

    /**
     * A classifier's residuals for least-squares training, over logits {@code [N, C]} and INT32
     * class indices {@code [N]}:
     * <pre>
     *   r[i, c] = (softmax(z)[i, c] &minus; [c = y&#x1D62;]) / &radic;N,   &frac12;&Vert;r&Vert;&sup2; = half the mean Brier score
     * </pre>
     * What Gauss-Newton, Levenberg and Levenberg-Marquardt minimize where the other optimizers
     * minimize {@link #crossEntropy}; both are proper scoring rules, so both are least at the true
     * class probabilities. Shape {@code [N, C]}.
     */
    public static Tensor softmaxResiduals(Tensor logits, Tensor targets) {
        checkClassification("softmaxResiduals", logits, targets, null, DEFAULT_IGNORE_INDEX);
        NDArray oneHot = targets.data().oneHot(logits.shape(1)).astype(logits.dtype()).to(logits.device());
        return logits.softmax(1).sub(Tensor.of(oneHot)).mul(1 / Math.sqrt(logits.shape(0)));
    }

    /** Negative log-likelihood of log-probabilities {@code [N, C]} against INT32 class indices {@code [N]}. */
    public static Tensor nll(Tensor logProbabilities, Tensor targets) {
        return nll(logProbabilities, targets, null, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /** -w[y] log p[i, y]; MEAN divides by the sum of the targets' weights. */
    public static Tensor nll(Tensor logProbabilities, Tensor targets, NDArray weight, int ignoreIndex, Reduction reduction) {
        checkClassification("nll", logProbabilities, targets, weight, ignoreIndex);
        Tensor perSample = nllTerms(logProbabilities, targets, weight, ignoreIndex);
        return reduceClassification(perSample, targets, weight, ignoreIndex, reduction, logProbabilities.dtype());
    }

    /** Binary cross-entropy of probabilities: -(t log p + (1 - t) log(1 - p)), logs clamped at -100 as PyTorch does. */
    public static Tensor binaryCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction) {
        checkSameShape("binaryCrossEntropy", probabilities, target);
        NDArray p = probabilities.data();
        if (p.size() > 0 && (p.min().item() < 0 || p.max().item() > 1)) {
            throw new IllegalArgumentException("binaryCrossEntropy: probabilities must be in [0, 1], got values from "
                    + p.min().item() + " to " + p.max().item() + " (use binaryCrossEntropyWithLogits for logits)");
        }
        Tensor logP = clampedLog(probabilities);
        Tensor logNotP = clampedLog(probabilities.neg().add(1));
        Tensor losses = target.mul(logP).add(target.neg().add(1).mul(logNotP)).neg();
        return reduce(losses, reduction);
    }

    private static Tensor clampedLog(Tensor x) {
        Tensor log = x.log();
        return Tensor.where(log.data().lt(-100), Tensor.of(NDArray.full(x.dtype(), -100).to(x.device())), log);
    }

    /**
     * Binary cross-entropy from logits, stable for any magnitude: with positive-class weight pw,
     * (1 - t) x + (1 + (pw - 1) t) (log(1 + exp(-|x|)) + max(-x, 0)). {@code positiveWeight} may be null.
     * The gradient is the closed form (1 + (pw - 1) t) sigmoid(x) - pw t (sigmoid(x) - t without a
     * weight), exact at x = 0 too; the target gets -x + (pw - 1) softplus(-x) when it requires grad.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, NDArray positiveWeight, Reduction reduction) {
        checkSameShape("binaryCrossEntropyWithLogits", logits, target);
        NDArray weight = positiveWeight == null ? null : positiveWeight.astype(logits.dtype());
        if (weight != null) {
            // a weight with more dimensions than the logits: the per-element losses take the broadcast shape
            int[] shape = Shape.broadcast("binaryCrossEntropyWithLogits", logits.shape(), weight.shape());
            if (!Arrays.equals(shape, logits.shape())) {
                logits = logits.expand(shape);
                target = target.expand(shape);
            }
        }
        Tensor losses = new BinaryCrossEntropyWithLogitsFunction(weight).apply(logits, target);
        return reduce(losses, reduction);
    }

    // ---------------------------------------------------------------- classification helpers

    private static void checkClassification(String op, Tensor input, Tensor targets, NDArray weight, int ignoreIndex) {
        if (input.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected input of shape [N, C], got " + Arrays.toString(input.shape()));
        }
        if (targets.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": targets must be INT32 class indices, got " + targets.dtype());
        }
        if (!targets.device().equals(input.device())) {
            throw new IllegalArgumentException(op + ": input is on " + input.device() + " but targets are on " + targets.device()
                    + "; move them with to(device)");
        }
        if (targets.rank() != 1 || targets.shape(0) != input.shape(0)) {
            throw new IllegalArgumentException(op + ": targets must have shape [" + input.shape(0) + "] for input of shape "
                    + Arrays.toString(input.shape()) + ", got " + Arrays.toString(targets.shape()));
        }
        int classes = input.shape(1);
        if (weight != null && (weight.rank() != 1 || weight.shape(0) != classes)) {
            throw new IllegalArgumentException(op + ": class weights must have shape [" + classes + "], got "
                    + Arrays.toString(weight.shape()));
        }
        if (targets.device().equals(Device.CPU)) {
            for (int value : targets.data().toIntArray()) {
                if (value != ignoreIndex && (value < 0 || value >= classes)) {
                    throw new IndexOutOfBoundsException(op + ": target " + value + " is out of range for " + classes
                            + " classes (expected 0 to " + (classes - 1) + ")");
                }
            }
            return;
        }
        // on a device the range is checked there and reported at the next read, so a step needs no read-back
        DeferredChecks.requireInRange(op + " targets, " + classes + " classes, ignoring " + ignoreIndex, targets.data(), classes, ignoreIndex,
                count -> new IndexOutOfBoundsException(op + ": " + count + " target(s) on " + targets.device() + " out of range for "
                        + classes + " classes (expected 0 to " + (classes - 1) + ", or the ignore index " + ignoreIndex
                        + "); found at this read, checked on the device since the previous one"));
    }

    /** 1 for samples that count, 0 for those whose target is ignoreIndex. */
    static NDArray kept(NDArray targets, int ignoreIndex, DType dtype) {
        return targets.ne(ignoreIndex).astype(dtype);
    }

    /** The targets with ignored entries replaced by class 0, so they can index safely (their loss is masked). */
    static NDArray safeTargets(NDArray targets, int ignoreIndex) {
        return NDArray.where(targets.eq(ignoreIndex), NDArray.scalar(DType.INT32, 0).to(targets.device()), targets);
    }

    /** w[y] per sample, 0 where ignored. */
    private static NDArray sampleWeights(Tensor targets, NDArray weight, int ignoreIndex, DType dtype) {
        NDArray kept = kept(targets.data(), ignoreIndex, dtype);
        return weight == null ? kept : weight.astype(dtype).indexSelect(0, safeTargets(targets.data(), ignoreIndex)).mul(kept);
    }

    private static Tensor nllTerms(Tensor logProbabilities, Tensor targets, NDArray weight, int ignoreIndex) {
        NDArray index = safeTargets(targets.data(), ignoreIndex).reshape(-1, 1);
        Tensor picked = logProbabilities.gather(1, index).reshape(-1);
        return picked.mul(Tensor.of(sampleWeights(targets, weight, ignoreIndex, logProbabilities.dtype()))).neg();
    }

    private static Tensor reduceClassification(Tensor perSample, Tensor targets, NDArray weight, int ignoreIndex,
                                               Reduction reduction, DType dtype) {
        if (reduction != Reduction.MEAN) {
            return reduce(perSample, reduction);
        }
        // the divisor stays on the device: reading it back would make every step wait for the GPU
        NDArray total = sampleWeights(targets, weight, ignoreIndex, dtype).sum();
        return perSample.sum().div(Tensor.of(total));
    }
}
