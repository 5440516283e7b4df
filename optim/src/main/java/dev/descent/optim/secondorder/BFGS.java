package dev.descent.optim.secondorder;

import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.HyperparameterSpec;
import java.util.List;

/**
 * BFGS with a dense inverse-Hessian approximation H (Nocedal and Wright, algorithm 6.1), in
 * the same loop and with the same options as {@link LBFGS} (default lineSearch
 * {@code strong_wolfe}, which keeps y&#x1D40;s &gt; 0 and so H positive definite). With
 * &rho; = 1 / y&#x1D40;s:
 * <pre>
 *   d &larr; &minus;H g
 *   H &larr; (I &minus; &rho; s y&#x1D40;) H (I &minus; &rho; y s&#x1D40;) + &rho; s s&#x1D40;
 * </pre>
 * H starts as (y&#x1D40;s / y&#x1D40;y) I at the first update (their equation 6.20). Memory n&sup2;:
 * for models up to a few thousand parameters; use L-BFGS beyond.
 *
 * <pre>{@code
 * BFGS bfgs = new BFGS(List.of(x), BFGS.options().maxIter(100));
 * bfgs.step(() -> { bfgs.zeroGrad(); Tensor f = rosenbrock(x); f.backward(); return f; });
 * }</pre>
 */
public final class BFGS extends QuasiNewtonOptimizer {
    static final HyperparameterSpec SPEC = spec("BFGS", "strong_wolfe");

    /** BFGS's hyperparameters: those of {@link QuasiNewtonOptions}. */
    public static final class Options extends QuasiNewtonOptions<Options> {
        Options() { super(SPEC); }
    }

    /** Host copy of the state's {@code H}, row by row (null before the first curvature pair). */
    private double[][] inverseHessian;

    public static Options options() { return new Options(); }

    public BFGS(List<? extends Tensor> params, Options options) { super(SPEC, options, params); }

    /** The dense n x n approximation is BFGS's whole cost: refused, with the way out, before it exhausts the heap. */
    private void checkDenseFits(int n) {
        long available = Runtime.getRuntime().maxMemory();
        if (denseMatrixBytes(n) > available / 2.0 || (long) n * n > Integer.MAX_VALUE) {
            // two copies (the rows and the state's) over half the heap: one copy over a quarter
            throw new IllegalArgumentException(String.format("%s: its dense inverse-Hessian approximation of %,d x %,d parameters needs"
                    + " %.3g GB, more than a quarter of the Java heap (%.3g GB); use lbfgs, which keeps a few vectors instead", name(),
                    n, n, denseMatrixBytes(n) / 2 / 1e9, available / 1e9));
        }
    }

    /** 8n&sup2; bytes for each of the host rows and the state's copy. */
    @Override
    public double denseMatrixBytes(long parameters) {
        return 16.0 * parameters * parameters;
    }

    @Override
    void resetModel() {
        inverseHessian = null;
        modelState().remove("H");
    }

    @Override
    void reloadModel() {
        NDArray stored = modelState().get("H");
        if (stored == null) {
            inverseHessian = null;
            return;
        }
        int n = stored.shape(0);
        double[] flat = stored.toDoubleArray();
        inverseHessian = new double[n][];
        for (int i = 0; i < n; i++) {
            inverseHessian[i] = java.util.Arrays.copyOfRange(flat, i * n, (i + 1) * n);
        }
    }

    @Override
    void remember(double[] s, double[] y, double ys) {
        int n = s.length;
        if (inverseHessian == null) {
            checkDenseFits(n);
            inverseHessian = new double[n][n];
            double gamma = ys / Vectors.dot(y, y);
            for (int i = 0; i < n; i++) {
                inverseHessian[i][i] = gamma;
            }
        }
        double rho = 1 / ys;
        double[] hy = multiply(y);
        double yhy = Vectors.dot(y, hy);
        // Expanded form of the product update: H - rho (s hy^T + hy s^T) + (rho^2 y^T H y + rho) s s^T.
        double ss = rho * rho * yhy + rho;
        double[] flat = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                inverseHessian[i][j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + ss * s[i] * s[j];
            }
            System.arraycopy(inverseHessian[i], 0, flat, i * n, n);
        }
        modelState().put("H", NDArray.of(flat, n, n));
    }
    @Override
    double[] direction(double[] gradient) {
        if (inverseHessian == null) {
            return Vectors.scaled(-1, gradient);
        }
        return Vectors.scaled(-1, multiply(gradient));
    }

    private double[] multiply(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Vectors.dot(inverseHessian[i], v);
        }
        return out;
    }
}
