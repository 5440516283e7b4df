package dev.descent.nn;

import dev.descent.autograd.Context;
import dev.descent.autograd.Function;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;

/**
 * y = x W<sup>T</sup> + b for a matrix input x [N, in], as one op:
 * <pre>
 *   dx = dy W          dW = dy<sup>T</sup> x          db = &Sigma;&#x2099; dy
 * </pre>
 * Written as one function so that dW comes out as [out, in] directly (GEMM reads dy<sup>T</sup> in
 * place): composed from matmul and a transpose, it came out as the transpose of a [in, out]
 * product and every step paid a strided copy of the whole weight gradient. The backward uses tensor
 * ops, so second derivatives (Hessian-vector products) still flow through it; when the weight
 * keeps its gradient array between steps ({@code zeroGrad(false)}), dW is added into it by the GEMM.
 */
final class LinearFunction extends Function {
    private final boolean hasBias;

    LinearFunction(boolean hasBias) {
        this.hasBias = hasBias;
    }

    @Override
    public String name() {
        return "Linear";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        ctx.save(in[0], in[1]);
        NDArray out = in[0].matmul(in[1].t());
        return hasBias ? out.addi(in[2]) : out;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        Tensor x = ctx.saved(0);
        Tensor w = ctx.saved(1);
        Tensor[] grads = new Tensor[hasBias ? 3 : 2];
        grads[0] = ctx.needsInputGrad(0) ? g.matmul(w) : null;
        boolean oneDtype = g.dtype() == ctx.inputDtype(0) && g.dtype() == ctx.inputDtype(1);
        NDArray weightGradient = ctx.needsInputGrad(1) && oneDtype ? ctx.claimGradientBuffer(1) : null;
        if (weightGradient != null) {
            weightGradient.addmmi(g.data().t(), x.data()); // dW += dy^T x, no [out, in] temporary
        } else {
            grads[1] = ctx.needsInputGrad(1) ? g.t().matmul(x) : null;
        }
        if (hasBias) {
            grads[2] = ctx.needsInputGrad(2) ? g.sum(0) : null;
        }
        return grads;
    }
}
