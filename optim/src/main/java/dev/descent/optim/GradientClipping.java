package dev.descent.optim;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import java.util.List;

/**
 * Gradient clipping, in place on the parameters' gradients, as {@code torch.nn.utils.clip_grad_norm_}
 * and {@code clip_grad_value_}.
 *
 * <pre>{@code
 * loss.backward();
 * double norm = GradientClipping.clipGradNorm(model.parameters(), 1.0);   // the norm before clipping
 * optimizer.step();
 * }</pre>
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** {@link #clipGradNorm(List, double, double)} with the L2 norm. */
    public static double clipGradNorm(List<? extends Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * Scales all gradients together so that their global p-norm (over every element of every
     * gradient; p = infinity for the largest magnitude) is at most {@code maxNorm}: by
     * maxNorm / (norm + 1e-6) when the norm exceeds it. Returns the norm before clipping. A NaN or
     * infinite norm is an {@link ArithmeticException} and leaves the gradients untouched, rather
     * than spreading NaN into every parameter.
     */
    public static double clipGradNorm(List<? extends Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        }
        if (!(normType > 0)) {
            throw new IllegalArgumentException("clipGradNorm: normType must be positive (or infinity), got " + normType);
        }
        double total = 0;
        boolean infinity = normType == Double.POSITIVE_INFINITY;
        int count = 0;
        for (Tensor p : params) {
            if (p.grad() == null) {
                continue;
            }
            double norm = p.grad().data().norm(normType).item();
            total = infinity ? Math.max(total, norm) : total + Math.pow(norm, normType);
            count++;
        }
        if (count == 0) {
            return 0;
        }
        double norm = infinity ? total : Math.pow(total, 1 / normType);
        if (!Double.isFinite(norm)) {
            throw new ArithmeticException("clipGradNorm: the total gradient norm is " + norm
                    + "; a gradient holds NaN or infinity (GradMode.detectAnomaly() finds the op that produced it)");
        }
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                for (Tensor p : params) {
                    if (p.grad() != null) {
                        p.grad().data().muli(coefficient);
                    }
                }
            }
        }
        return norm;
    }

    /** Limits every gradient element to [-clipValue, clipValue]. */
    public static void clipGradValue(List<? extends Tensor> params, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clipValue must be >= 0, got " + clipValue);
        }
        for (Tensor p : params) {
            if (p.grad() != null) {
                NDArray grad = p.grad().data();
                grad.copyFrom(grad.clamp(-clipValue, clipValue));
            }
        }
    }
}
