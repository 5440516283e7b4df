package dev.descent.autograd;

import dev.descent.core.NDArray;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Functional differentiation: gradients returned rather than accumulated into {@code grad()},
 * and the derived products second-order methods need.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
 * TensorFunction f = in -> in[0].pow(3).sum();                 // f(x) = sum x^3
 * Tensor[] hv = Autograd.hvp(f, new Tensor[] {x}, new Tensor[] {Tensor.of(new double[] {1, 0})});
 * // Hessian diag(6x) times (1, 0) = (6, 0)
 * }</pre>
 */
public final class Autograd {
    private Autograd() {
    }

    /**
     * The gradients of {@code outputs} (weighted by {@code gradOutputs}, which may be null when
     * every output has one element) with respect to {@code inputs}, which must require grad.
     * An input the outputs do not depend on gets zeros. No leaf's {@code grad()} is touched.
     * With {@code createGraph} the returned gradients are differentiable.
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean createGraph,
                                boolean retainGraph) {
        if (gradOutputs != null && gradOutputs.length != outputs.length) {
            throw new IllegalArgumentException("Autograd.grad: " + outputs.length + " outputs but " + gradOutputs.length
                    + " gradOutputs");
        }
        Tensor[] seeds = new Tensor[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            if (!outputs[i].requiresGrad()) {
                throw new IllegalArgumentException("Autograd.grad: output " + i + " does not require grad (no input of its"
                        + " computation had requiresGrad(true))");
            }
            if (gradOutputs == null || gradOutputs[i] == null) {
                if (outputs[i].size() != 1) {
                    throw new IllegalArgumentException("Autograd.grad: output " + i + " has shape "
                            + Arrays.toString(outputs[i].shape()) + "; a gradOutput is needed unless it has one element");
                }
                seeds[i] = Tensor.of(outputs[i].data().onesLike());
            } else {
                Engine.checkGradOutput("Autograd.grad", outputs[i], gradOutputs[i]);
                seeds[i] = gradOutputs[i];
            }
        }
        Map<Node, Tensor> captured = new IdentityHashMap<>();
        Node[] targets = new Node[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) {
                throw new IllegalArgumentException("Autograd.grad: input " + i + " does not require grad");
            }
            targets[i] = inputs[i].gradientNode();
            captured.put(targets[i], null);
        }
        Engine.run(outputs, seeds, retainGraph || createGraph, createGraph, captured);
        Tensor[] result = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = captured.get(targets[i]);
            result[i] = g != null ? g : Tensor.of(inputs[i].data().zerosLike());
        }
        return result;
    }

    /** The gradient of a one-element {@code output} with respect to {@code input}. */
    public static Tensor grad(Tensor output, Tensor input) {
        return grad(new Tensor[] {output}, new Tensor[] {input}, null, false, false)[0];
    }

    /**
     * The Hessian of the scalar {@code f(params)} times {@code v}, by differentiating
     * {@code grad f . v} (double backward): the Hessian is never formed. {@code params} must
     * require grad; {@code v} has one tensor per parameter, of its shape.
     */
    public static Tensor[] hvp(TensorFunction f, Tensor[] params, Tensor[] v) {
        if (v.length != params.length) {
            throw new IllegalArgumentException("Autograd.hvp: " + params.length + " parameters but " + v.length + " vectors");
        }
        for (int i = 0; i < params.length; i++) {
            if (!Arrays.equals(params[i].shape(), v[i].shape())) {
                throw new IllegalArgumentException("Autograd.hvp: vector " + i + " has shape " + Arrays.toString(v[i].shape())
                        + " but parameter " + i + " has shape " + Arrays.toString(params[i].shape()));
            }
        }
        Tensor loss = f.apply(params);
        Tensor[] gradients = grad(new Tensor[] {loss}, params, null, true, true);
        Tensor dot = null;
        for (int i = 0; i < params.length; i++) {
            Tensor term = gradients[i].mul(v[i].detach()).sum();
            dot = dot == null ? term : dot.add(term);
        }
        if (dot == null || !dot.requiresGrad()) {
            Tensor[] zeros = new Tensor[params.length];
            for (int i = 0; i < params.length; i++) {
                zeros[i] = Tensor.of(params[i].data().zerosLike());
            }
            return zeros;
        }
        Tensor[] products = grad(new Tensor[] {dot}, params, null, false, false);
        for (int i = 0; i < products.length; i++) {
            products[i] = products[i].detach();
        }
        return products;
    }

    /**
     * The Jacobian of {@code f} at {@code x}: shape {@code f(x).shape ++ x.shape}, one backward
     * pass per output element.
     */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x) {
        Tensor input = leafCopy("jacobian", x);
        Tensor output = f.apply(input);
        return rowsOfGradients(output, input, false);
    }

    /** The Hessian of the scalar {@code f} at {@code x}: shape {@code x.shape ++ x.shape}. */
    public static Tensor hessian(UnaryOperator<Tensor> f, Tensor x) {
        Tensor input = leafCopy("hessian", x);
        Tensor value = f.apply(input);
        if (value.size() != 1) {
            throw new IllegalArgumentException("Autograd.hessian: f must return one element, got shape "
                    + Arrays.toString(value.shape()));
        }
        Tensor gradient = grad(new Tensor[] {value}, new Tensor[] {input}, null, true, true)[0];
        return rowsOfGradients(gradient, input, false);
    }

    private static Tensor leafCopy(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Autograd." + op + ": x must be floating point, got " + x.dtype());
        }
        return Tensor.of(x.data().copy()).requiresGrad(true);
    }

    /** d output[k] / d input for every element k, stacked: shape output.shape ++ input.shape. */
    private static Tensor rowsOfGradients(Tensor output, Tensor input, boolean createGraph) {
        int count = output.size();
        int[] shape = concat(output.shape(), input.shape());
        NDArray result = NDArray.zeros(input.dtype(), count, input.size());
        if (output.requiresGrad()) {
            for (int k = 0; k < count; k++) {
                NDArray seed = NDArray.zeros(output.dtype(), output.size());
                seed.set(1, k);
                Tensor row = grad(new Tensor[] {output}, new Tensor[] {input}, new Tensor[] {Tensor.of(seed.reshape(output.shape()))},
                        createGraph, true)[0];
                result.select(0, k).copyFrom(row.data().reshape(-1));
            }
        }
        return Tensor.of(result.reshape(shape));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] result = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, result, a.length, b.length);
        return result;
    }
}
