package dev.descent.optim;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.optim.secondorder.BFGS;
import dev.descent.optim.secondorder.Newton;
import java.util.List;
import java.util.Map;

/**
 * The base of the methods that treat all parameters as one vector &theta; &isin; &#x211D;&#x207F; and
 * re-evaluate the loss within a step (quasi-Newton, Newton, Newton-CG, least squares): one
 * parameter group, host float64 algebra through a {@link ParameterVector}, and state for the
 * whole model kept, as in {@code torch.optim.LBFGS}, in the state of the first parameter, so
 * that {@link #stateDict()} and {@link #loadStateDict} resume a run exactly.
 */
public abstract class ParameterVectorOptimizer extends Optimizer {
    private final ParameterVector theta;
    private StepResult lastStep;

    protected ParameterVectorOptimizer(HyperparameterSpec spec, OptimizerOptions<?> options, List<? extends Tensor> params) {
        super(spec, options, single(params));
        this.theta = ParameterVector.of(params);
    }

    /** The parameters as one vector. */
    protected final ParameterVector theta() {
        return theta;
    }

    /** The state of the whole model: the first parameter's, as in torch. */
    protected final Map<String, NDArray> modelState() {
        return stateOf(theta.parameters().get(0));
    }

    /** A number of the model state, {@code fallback} when absent. */
    protected final double stateNumber(String key, double fallback) {
        NDArray value = modelState().get(key);
        return value == null ? fallback : value.item();
    }

    /** Sets a number of the model state (a 0-d float64 array). */
    protected final void setStateNumber(String key, double value) {
        modelState().put(key, NDArray.scalar(DType.FLOAT64, value));
    }

    /** A vector of the model state as a host copy, null when absent. */
    protected final double[] stateVector(String key) {
        NDArray value = modelState().get(key);
        return value == null ? null : value.toDoubleArray();
    }

    /** Stores a host vector in the model state (a copy); null removes it. */
    protected final void setStateVector(String key, double[] values) {
        if (values == null) {
            modelState().remove(key);
        } else {
            modelState().put(key, NDArray.of(values.clone(), values.length));
        }
    }

    @Override
    public StepResult lastStep() {
        return lastStep;
    }

    /** Records the account of the step just taken. */
    protected final void recordStep(StepResult result) {
        lastStep = result;
    }

    /** The model state belongs to parameter 0; its vectors have n entries (a matrix n x n), or the length of a history. */
    @Override
    protected void checkLoadedState(int index, String key, NDArray value, Tensor param) {
        if (index != 0) {
            throw new IllegalArgumentException(name() + ".loadStateDict: state for parameter " + index + "; " + name()
                    + " keeps its whole state with parameter 0");
        }
        int n = theta.size();
        if (value.rank() >= 1 && value.shape(value.rank() - 1) != n && !historyLengthKey(key)) {
            throw new IllegalArgumentException(name() + ".loadStateDict: '" + key + "' has shape " + java.util.Arrays.toString(value.shape())
                    + " but the parameters have " + n + " scalars");
        }
    }

    /** Whether state {@code key} is a vector with one entry per stored pair rather than per parameter (L-BFGS's {@code ro}). */
    protected boolean historyLengthKey(String key) {
        return false;
    }

    @Override
    protected void stateLoaded() {
        lastStep = null;
    }
}
