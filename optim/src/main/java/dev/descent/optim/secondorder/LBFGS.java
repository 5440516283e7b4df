package dev.descent.optim.secondorder;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.Hyperparameter;
import dev.descent.optim.HyperparameterSpec;
import dev.descent.optim.Hyperparameters;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Limited-memory BFGS (Liu and Nocedal, 1989), with the closure API, defaults and stopping
 * rules of {@code torch.optim.LBFGS}. The direction is &minus;H g by the two-loop recursion over
 * the last {@code historySize} pairs (s&#x1D62;, y&#x1D62;), &rho;&#x1D62; = 1 / y&#x1D62;&#x1D40;s&#x1D62;:
 * <pre>
 *   q &larr; &minus;g
 *   for i = newest .. oldest:   &alpha;&#x1D62; &larr; &rho;&#x1D62; s&#x1D62;&#x1D40;q;   q &larr; q &minus; &alpha;&#x1D62; y&#x1D62;
 *   r &larr; &gamma; q,   &gamma; = s&#x1D40;y / y&#x1D40;y of the newest pair
 *   for i = oldest .. newest:   &beta; &larr; &rho;&#x1D62; y&#x1D62;&#x1D40;r;   r &larr; r + (&alpha;&#x1D62; &minus; &beta;) s&#x1D62;
 *   d &larr; r
 * </pre>
 * Hyperparameters (torch names in camel case): lr 1, maxIter 20 per step, maxEval
 * (default maxIter &middot; 5/4), toleranceGrad 1e-7, toleranceChange 1e-9, historySize 100,
 * lineSearch {@code none} (fixed step lr) or {@code strong_wolfe} (or {@code backtracking}).
 *
 * <pre>{@code
 * LBFGS lbfgs = new LBFGS(model.parameters(), LBFGS.options().lineSearch("strong_wolfe"));
 * for (int i = 0; i < 10; i++) {
 *     lbfgs.step(() -> {
 *         lbfgs.zeroGrad();
 *         Tensor loss = Losses.crossEntropy(model.forward(x), y);
 *         loss.backward();
 *         return loss;
 *     });
 * }
 * }</pre>
 * Full batch only: the curvature pairs assume the same function at every evaluation.
 */
public final class LBFGS extends QuasiNewtonOptimizer {
    public static final Hyperparameter<Integer> HISTORY_SIZE = Hyperparameter.integer("historySize", 100, Hyperparameter.Rule.AT_LEAST_ONE,
            "curvature pairs kept");
    static final HyperparameterSpec SPEC = spec("LBFGS", "none", HISTORY_SIZE);

    /** L-BFGS's hyperparameters: those of {@link QuasiNewtonOptions} and historySize. */
    public static final class Options extends QuasiNewtonOptions<Options> {
        Options() { super(SPEC); }

        public Options historySize(int value) { return set(HISTORY_SIZE, value); }
    }

    /** A curvature pair with &rho; = 1 / y&#x1D40;s (host copies of the state's {@code old_dirs.i}, {@code old_stps.i}, {@code ro}). */
    private record Pair(double[] s, double[] y, double rho) {
    }

    private final Deque<Pair> history = new ArrayDeque<>();
    private double scaling = 1;

    public static Options options() { return new Options(); }

    public LBFGS(List<? extends Tensor> params, Options options) { super(SPEC, options, params); }

    @Override
    void resetModel() {
        Map<String, NDArray> state = modelState();
        for (int i = 0; i < history.size(); i++) {
            state.remove("old_dirs." + i);
            state.remove("old_stps." + i);
        }
        history.clear();
        scaling = 1;
        writeScalars();
    }

    /**
     * Adds the pair to the history and to the state's copy of it, oldest pair first:
     * {@code old_dirs.i} (s), {@code old_stps.i} (y), {@code ro} (&rho; per pair) and {@code H_diag}
     * (the scaling &gamma;). Dropping the oldest pair renames the others' entries (no copies).
     */
    @Override
    void remember(double[] s, double[] y, double ys) {
        int historySize = paramGroups().get(0).get(HISTORY_SIZE);
        if (history.isEmpty()) {
            checkHistoryFits(historySize, s.length);
        }
        Map<String, NDArray> state = modelState();
        if (history.size() == historySize) {
            history.removeFirst();
            for (int i = 0; i < history.size(); i++) {
                state.put("old_dirs." + i, state.get("old_dirs." + (i + 1)));
                state.put("old_stps." + i, state.get("old_stps." + (i + 1)));
            }
        }
        history.addLast(new Pair(s, y, 1 / ys));
        int newest = history.size() - 1;
        setStateVector("old_dirs." + newest, s);
        setStateVector("old_stps." + newest, y);
        scaling = ys / Vectors.dot(y, y);
        writeScalars();
    }

    private void writeScalars() {
        double[] rho = new double[history.size()];
        int i = 0;
        for (Pair pair : history) {
            rho[i++] = pair.rho();
        }
        setStateVector("ro", rho);
        modelState().put("H_diag", NDArray.scalar(DType.FLOAT64, scaling));
    }

    @Override
    void reloadModel() {
        history.clear();
        Map<String, NDArray> state = modelState();
        NDArray rho = state.get("ro");
        if (rho == null) {
            scaling = 1;
            return;
        }
        double[] ro = rho.toDoubleArray();
        for (int i = 0; i < ro.length; i++) {
            history.addLast(new Pair(state.get("old_dirs." + i).toDoubleArray(), state.get("old_stps." + i).toDoubleArray(), ro[i]));
        }
        scaling = state.get("H_diag").item();
    }
    /** A full history holds 2 historySize float64 vectors of n: refused, with the way out, before it exhausts the heap. */
    private void checkHistoryFits(int historySize, int n) {
        double bytes = 16.0 * historySize * n;
        long available = Runtime.getRuntime().maxMemory();
        if (bytes > available / 2.0) {
            long fits = Math.max(1, (long) (available / 2.0 / (16.0 * n)));
            throw new IllegalArgumentException(String.format("%s: a history of %d pairs of %,d parameters needs %.3g GB, more than half the"
                    + " Java heap (%.3g GB); set historySize to %d or less (e.g. lbfgs:historySize=%d)", name(), historySize, n, bytes / 1e9,
                    available / 1e9, fits, Math.min(fits, 10)));
        }
    }

    @Override
    double[] direction(double[] gradient) {
        double[] q = Vectors.scaled(-1, gradient);
        double[] alpha = new double[history.size()];
        int i = history.size();
        for (Iterator<Pair> newestFirst = history.descendingIterator(); newestFirst.hasNext(); ) {
            Pair pair = newestFirst.next();
            alpha[--i] = pair.rho() * Vectors.dot(pair.s(), q);
            Vectors.addScaled(q, -alpha[i], pair.y());
        }
        double[] r = Vectors.scaled(scaling, q);
        i = 0;
        for (Pair pair : history) {
            double beta = pair.rho() * Vectors.dot(pair.y(), r);
            Vectors.addScaled(r, alpha[i++] - beta, pair.s());
        }
        return r;
    }
}
