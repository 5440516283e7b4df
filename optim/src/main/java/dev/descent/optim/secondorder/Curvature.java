package dev.descent.optim.secondorder;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.optim.LossFunction;
import dev.descent.optim.ParameterVector;

/**
 * The loss at the parameters' current values with its gradient and Hessian-vector products
 * (by double backward), kept while the parameters stay put; what Newton's methods and the
 * Hessian analysis build on.
 */
final class Curvature {
    private final ParameterVector theta;
    private final Tensor[] params;
    private final Tensor[] gradients;
    final double loss;
    final double[] gradient;
    private int products;

    /**
     * The curvature from an optimizer's ordinary closure (zero the gradients, compute the loss,
     * backward, return the loss), run so that its backward pass records a graph of its own; the
     * gradients it leaves are then differentiated again.
     */
    Curvature(ParameterVector theta, Tensor loss) {
        this.theta = theta;
        this.params = theta.parameters().toArray(new Tensor[0]);
        this.gradients = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) {
            Tensor grad = params[i].grad();
            gradients[i] = grad != null ? grad : Tensor.of(params[i].data().zerosLike());
        }
        this.loss = loss.item();
        this.gradient = theta.concatenate(gradients);
    }

    Curvature(String op, ParameterVector theta, LossFunction function) {
        this.theta = theta;
        this.params = theta.parameters().toArray(new Tensor[0]);
        Tensor value;
        try (GradMode.Scope ignored = GradMode.enableGrad()) {
            value = function.compute();
            if (value.size() != 1) {
                throw new IllegalArgumentException(op + ": the loss must have one element, got shape " + java.util.Arrays.toString(value.shape()));
            }
            this.gradients = Autograd.grad(new Tensor[] {value}, params, null, true, true);
        }
        this.loss = value.item();
        this.gradient = theta.concatenate(gradients);
    }

    /** H v. */
    double[] hessianTimes(double[] v) {
        products++;
        Tensor[] parts = theta.split(v);
        java.util.List<Tensor> outputs = new java.util.ArrayList<>();
        java.util.List<Tensor> seeds = new java.util.ArrayList<>();
        for (int i = 0; i < gradients.length; i++) {
            // A gradient that does not depend on the parameters (a part of the loss linear in them) adds nothing to H v.
            if (gradients[i].requiresGrad()) {
                outputs.add(gradients[i]);
                seeds.add(parts[i]);
            }
        }
        if (outputs.isEmpty()) {
            return new double[v.length];
        }
        try (GradMode.Scope ignored = GradMode.enableGrad()) {
            return theta.concatenate(Autograd.grad(outputs.toArray(new Tensor[0]), params, seeds.toArray(new Tensor[0]), false, true));
        }
    }

    /** The dense Hessian as an n-by-n float64 array, one product per column (symmetrized against rounding). */
    NDArray hessian() {
        int n = gradient.length;
        double[][] h = new double[n][];
        for (int j = 0; j < n; j++) {
            double[] e = new double[n];
            e[j] = 1;
            h[j] = hessianTimes(e);
        }
        double[] flat = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                flat[i * n + j] = (h[i][j] + h[j][i]) / 2;
            }
        }
        return NDArray.of(flat, n, n);
    }

    int products() {
        return products;
    }
}
