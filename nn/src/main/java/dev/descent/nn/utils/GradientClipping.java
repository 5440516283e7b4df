package dev.descent.nn.utils;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
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
        NDArray total = totalNorm(params, normType);
        if (total == null) {
            return 0;
        }
        double norm = total.item();
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

    /**
     * The p-norm of all gradients together (p = infinity for the largest magnitude), as a 0-d
     * float64 array on the gradients' device, as {@code torch.nn.utils.get_total_norm}: computing
     * it reads nothing back, so a training step on a GPU can record it without waiting. Null when
     * no parameter has a gradient.
     */
    public static NDArray totalNorm(List<? extends Tensor> params, double normType) {
        if (!(normType > 0)) {
            throw new IllegalArgumentException("totalNorm: normType must be positive (or infinity), got " + normType);
        }
        boolean infinity = normType == Double.POSITIVE_INFINITY;
        if (normType == 2) {
            // one accumulator for every gradient's squares: one fused kernel per parameter, then a square root
            NDArray squares = null;
            for (Tensor p : params) {
                if (p.grad() != null) {
                    NDArray grad = p.grad().data();
                    squares = squares != null ? squares : NDArray.empty(DType.FLOAT64, new int[0], grad.device()).fill(0);
                    grad.backend().sumOfSquares(grad.dtype().isFloatingPoint() ? grad : grad.astype(DType.FLOAT64), squares);
                }
            }
            return squares == null ? null : squares.sqrt();
        }
        NDArray total = null;
        for (Tensor p : params) {
            if (p.grad() == null) {
                continue;
            }
            NDArray norm = p.grad().data().norm(normType).astype(DType.FLOAT64);
            NDArray term = infinity ? norm : norm.pow(normType);
            total = total == null ? term : infinity ? total.maximum(term) : total.add(term);
        }
        if (total == null || infinity) {
            return total;
        }
        return total.pow(1 / normType);
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
