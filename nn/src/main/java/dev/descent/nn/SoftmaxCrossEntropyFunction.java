package dev.descent.nn;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;

/**
 * Per-sample cross-entropy of logits [N, C] against class indices [N], as one op on the backend's
 * fused kernels ({@code Backend.softmaxCrossEntropy} and its backward):
 * <pre>
 *   p = softmax(x)     loss_i = -log p_i,y_i     dx_ic = dloss_i (p_ic - [c = y_i])
 * </pre>
 * with loss and gradient 0 in rows whose target is ignoreIndex. It replaces the dozen kernels of
 * log-softmax, gather, masks and their backward for the common case (no class weights, no label
 * smoothing). When the backward is recorded ({@code createGraph}), it is written with tensor ops of
 * the logits instead, so it can be differentiated again.
 */
final class SoftmaxCrossEntropyFunction extends Function {
    private final NDArray targets;
    private final int ignoreIndex;
    private NDArray probabilities;

    SoftmaxCrossEntropyFunction(NDArray targets, int ignoreIndex) {
        this.targets = targets;
        this.ignoreIndex = ignoreIndex;
    }

    @Override
    public String name() {
        return "SoftmaxCrossEntropy";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray logits = in[0];
        NDArray losses = NDArray.empty(logits.dtype(), new int[] {logits.shape()[0]}, logits.device());
        probabilities = NDArray.empty(logits.dtype(), logits.shape(), logits.device());
        logits.backend().softmaxCrossEntropy(logits, targets, ignoreIndex, losses, probabilities);
        ctx.save(logits);
        return losses;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        if (GradMode.isEnabled()) {
            Tensor logits = ctx.saved(0);
            NDArray kept = Losses.kept(targets, ignoreIndex, logits.dtype());
            NDArray safe = Losses.safeTargets(targets, ignoreIndex).reshape(-1, 1);
            NDArray oneHot = logits.data().zerosLike().scatterAddi(1, safe, kept.reshape(-1, 1).onesLike());
            Tensor rowScale = g.mul(Tensor.of(kept)).reshape(-1, 1);
            return new Tensor[] {logits.softmax(1).sub(Tensor.of(oneHot)).mul(rowScale)};
        }
        NDArray gradLogits = NDArray.empty(probabilities.dtype(), probabilities.shape(), probabilities.device());
        probabilities.backend().softmaxCrossEntropyBackward(probabilities, targets, ignoreIndex, g.data().contiguous(), gradLogits);
        return new Tensor[] {Tensor.of(gradLogits)};
    }
}
