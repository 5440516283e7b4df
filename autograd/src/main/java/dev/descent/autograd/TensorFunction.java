package dev.descent.autograd;

/** A function of tensors, as {@link GradCheck} and {@link Autograd} take it: {@code inputs -> output}. */
@FunctionalInterface
public interface TensorFunction {
    Tensor apply(Tensor... inputs);
}
