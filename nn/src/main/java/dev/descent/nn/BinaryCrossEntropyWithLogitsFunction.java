package dev.descent.nn;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;

/**
 * Per-element binary cross-entropy of logits z against targets y (same shape), with an optional
 * positive-class weight p broadcast against them. With s = sigmoid(z) and w = 1 + (p - 1) y (w = 1
 * and p = 1 without a weight), the loss is PyTorch's {@code -(p y log s + (1 - y) log(1 - s))},
 * computed stably as
 * <pre>
 *   loss = (1 - y) z + w softplus(-z),   softplus(-z) = log1p(exp(-|z|)) + max(-z, 0)
 * </pre>
 * and differentiated in closed form rather than through the pieces of that formula, whose
 * subgradients at z = 0 do not agree with each other:
 * <pre>
 *   dloss/dz = w s - p y              (= s - y without a weight)
 *   dloss/dy = -z + (p - 1) softplus(-z)   (= -z without a weight)
 * </pre>
 * The backward is written with tensor ops of z and y, so it can be differentiated again
 * ({@code createGraph}); its softplus is built so that its own derivative is -sigmoid(-z)
 * everywhere, z = 0 included.
 */
final class BinaryCrossEntropyWithLogitsFunction extends Function {
    /** p, already in the logits' dtype; null for no weight. */
    private final NDArray positiveWeight;

    BinaryCrossEntropyWithLogitsFunction(NDArray positiveWeight) {
        this.positiveWeight = positiveWeight;
    }

    @Override
    public String name() {
        return "BinaryCrossEntropyWithLogits";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        NDArray z = in[0];
        NDArray y = in[1];
        ctx.save(z, y);
        // the same operations, in the same order, as the formula of the class comment written with tensors
        NDArray softplusOfMinus = z.abs().neg().exp().log1p().add(z.neg().relu());
        NDArray weighted = positiveWeight == null ? softplusOfMinus
                : y.mul(positiveWeight.sub(1)).add(1).mul(softplusOfMinus);
        return y.neg().add(1).mul(z).add(weighted);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        Tensor z = ctx.saved(0);
        Tensor y = ctx.saved(1);
        Tensor p = positiveWeight == null ? null : Tensor.of(positiveWeight);
        Tensor gradLogits = null;
        if (ctx.needsInputGrad(0)) {
            Tensor s = z.sigmoid();
            Tensor local = p == null ? s.sub(y) : y.mul(p.sub(1)).add(1).mul(s).sub(p.mul(y));
            gradLogits = g.mul(local);
        }
        Tensor gradTarget = null;
        if (ctx.needsInputGrad(1)) {
            Tensor local = p == null ? z.neg() : z.neg().add(p.sub(1).mul(softplusOfMinus(z)));
            gradTarget = g.mul(local);
        }
        return new Tensor[] {gradLogits, gradTarget};
    }

    /**
     * softplus(-z) = max(-z, 0) + log1p(exp(u)) with u = -|z|, where both the maximum and |z| are
     * chosen by the same test (z &lt; 0): its derivative is then -sigmoid(-z) for every z, and no
     * branch ever overflows.
     */
    private static Tensor softplusOfMinus(Tensor z) {
        NDArray negative = z.data().lt(0);
        Tensor zero = Tensor.of(NDArray.scalar(z.dtype(), 0).to(z.device()));
        Tensor u = Tensor.where(negative, z, z.neg());
        return Tensor.where(negative, z.neg(), zero).add(u.exp().log1p());
    }
}
