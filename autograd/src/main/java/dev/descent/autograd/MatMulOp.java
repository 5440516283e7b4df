package dev.descent.autograd;

import dev.descent.core.NDArray;

/**
 * The matrix product of operands with at least two dimensions (Tensor.matmul turns vectors into
 * matrices around it): for C = A B, dA = dC B<sup>T</sup> and dB = A<sup>T</sup> dC, summed over
 * batch dimensions that were broadcast. The transposes are views, read in place by GEMM.
 */
final class MatMulOp extends Function {
    @Override
    public String name() {
        return "MatMul";
    }

    @Override
    protected NDArray forward(Context ctx, NDArray... in) {
        ctx.save(in[0], in[1]);
        return in[0].matmul(in[1]);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        Tensor a = ctx.saved(0);
        Tensor b = ctx.saved(1);
        return new Tensor[] {
            ctx.needsInputGrad(0) ? ArithmeticOps.sumTo(g.matmul(b.transpose(-1, -2)), ctx.inputShape(0)) : null,
            ctx.needsInputGrad(1) ? ArithmeticOps.sumTo(a.transpose(-1, -2).matmul(g), ctx.inputShape(1)) : null};
    }
}
