package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.NDArray;
import dev.descent.optim.secondorder.BFGS;
import dev.descent.optim.secondorder.Newton;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A model's parameters seen as one vector &theta; &isin; &#x211D;&#x207F; (float64), so that line
 * searches, conjugate gradient, BFGS, L-BFGS, Newton and Gauss-Newton do plain vector algebra.
 * The vector is one contiguous array; {@link #views()} are per-parameter views into it, shaped
 * like the parameters, in the order given.
 *
 * <pre>{@code
 * ParameterVector theta = ParameterVector.of(model.parameters());
 * double[] x = theta.values();          // gather the model's current values
 * double[] g = theta.gradients();       // and its gradients (zeros where a parameter has none)
 * x[0] -= 0.1 * g[0];
 * theta.set(x);                         // write back: the model now holds x
 * }</pre>
 *
 * Parameters of any floating dtype are gathered as float64 and written back rounded to their
 * own dtype. The vector lives in host memory, where the quasi-Newton algebra runs: for parameters
 * on a GPU each gather and write-back is a transfer.
 */
public final class ParameterVector {
    private final List<Tensor> params;
    private final int[] offsets;
    private final NDArray flat;
    private final List<NDArray> views;

    private ParameterVector(List<Tensor> params) {
        this.params = params;
        this.offsets = new int[params.size() + 1];
        for (int i = 0; i < params.size(); i++) {
            offsets[i + 1] = offsets[i] + params.get(i).size();
        }
        this.flat = NDArray.zeros(DType.FLOAT64, offsets[params.size()]);
        List<NDArray> list = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            list.add(flat.narrow(0, offsets[i], params.get(i).size()).view(params.get(i).shape()));
        }
        this.views = Collections.unmodifiableList(list);
    }

    /** The vector of {@code params} (floating-point tensors; a tensor may not appear twice). */
    public static ParameterVector of(List<? extends Tensor> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("ParameterVector: no parameters were given");
        }
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (!p.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException("ParameterVector: parameter " + i + " has dtype " + p.dtype() + "; expected a floating dtype");
            }
            for (int j = 0; j < i; j++) {
                if (params.get(j) == p) {
                    throw new IllegalArgumentException("ParameterVector: parameter " + i + " repeats parameter " + j);
                }
            }
        }
        return new ParameterVector(List.copyOf(params));
    }

    /** n, the total number of scalars. */
    public int size() {
        return offsets[params.size()];
    }

    /** The parameters, in vector order. */
    public List<Tensor> parameters() {
        return params;
    }

    /** Where parameter {@code i} starts in the vector. */
    public int offset(int i) {
        return offsets[i];
    }

    /** The contiguous float64 vector (holding whatever was last gathered or set). */
    public NDArray flat() {
        return flat;
    }

    /** Per-parameter views into {@link #flat()}, each shaped like its parameter. */
    public List<NDArray> views() {
        return views;
    }

    /** Gathers the parameters' current values into the vector and returns a copy. */
    public double[] values() {
        for (int i = 0; i < params.size(); i++) {
            views.get(i).copyFrom(params.get(i).data().astype(DType.FLOAT64).to(Device.CPU));
        }
        return flat.toDoubleArray();
    }

    /** The gradients in vector order (zeros for a parameter without one). */
    public double[] gradients() {
        double[] out = new double[size()];
        for (int i = 0; i < params.size(); i++) {
            Tensor grad = params.get(i).grad();
            if (grad != null) {
                double[] g = grad.data().toDoubleArray();
                System.arraycopy(g, 0, out, offsets[i], g.length);
            }
        }
        return out;
    }

    /** Writes {@code x} into the vector and every parameter. */
    public void set(double[] x) {
        if (x.length != size()) {
            throw new IllegalArgumentException("ParameterVector.set: got " + x.length + " values for " + size() + " parameters");
        }
        flat.copyFrom(NDArray.of(x, x.length));
        for (int i = 0; i < params.size(); i++) {
            params.get(i).data().copyFrom(views.get(i).astype(params.get(i).dtype()).to(params.get(i).device()));
        }
    }

    /** &theta; &larr; &theta; + step &middot; direction, written to the model. */
    public void add(double step, double[] direction) {
        double[] x = values();
        if (direction.length != x.length) {
            throw new IllegalArgumentException("ParameterVector.add: the direction has " + direction.length + " entries for " + x.length
                    + " parameters");
        }
        for (int i = 0; i < x.length; i++) {
            x[i] += step * direction[i];
        }
        set(x);
    }

    /** {@code v} split into one tensor per parameter, shaped like it, of its dtype and on its device (for Hessian-vector products). */
    public Tensor[] split(double[] v) {
        if (v.length != size()) {
            throw new IllegalArgumentException("ParameterVector.split: got " + v.length + " values for " + size() + " parameters");
        }
        Tensor[] parts = new Tensor[params.size()];
        for (int i = 0; i < params.size(); i++) {
            double[] part = Arrays.copyOfRange(v, offsets[i], offsets[i + 1]);
            parts[i] = Tensor.of(NDArray.of(part, part.length).reshape(params.get(i).shape()).astype(params.get(i).dtype())
                    .to(params.get(i).device()));
        }
        return parts;
    }

    /** Per-parameter tensors concatenated into one vector, the inverse of {@link #split}. */
    public double[] concatenate(Tensor[] parts) {
        if (parts.length != params.size()) {
            throw new IllegalArgumentException("ParameterVector.concatenate: got " + parts.length + " tensors for " + params.size()
                    + " parameters");
        }
        double[] out = new double[size()];
        for (int i = 0; i < parts.length; i++) {
            double[] values = parts[i].data().toDoubleArray();
            if (values.length != offsets[i + 1] - offsets[i]) {
                throw new IllegalArgumentException("ParameterVector.concatenate: tensor " + i + " has " + values.length + " values, expected "
                        + (offsets[i + 1] - offsets[i]));
            }
            System.arraycopy(values, 0, out, offsets[i], values.length);
        }
        return out;
    }
}
