package dev.descent.optim.leastsquares;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.LU;
import dev.descent.core.linalg.QR;
import dev.descent.core.linalg.SingularMatrixException;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.ParameterVector;
import dev.descent.optim.ResidualClosure;
import java.util.Arrays;

/** The dense algebra of the least-squares solvers on a Jacobian stored as rows (one per residual). */
final class JacobianAlgebra {
    private JacobianAlgebra() {
    }

    static boolean finite(double[][] matrix) {
        for (double[] row : matrix) {
            for (double v : row) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** diag(J&#x1D40;J): the squared norm of each column of J. */
    static double[] columnSquares(double[][] jacobian) {
        double[] squares = new double[jacobian[0].length];
        for (double[] row : jacobian) {
            for (int j = 0; j < squares.length; j++) {
                squares[j] += row[j] * row[j];
            }
        }
        return squares;
    }

    /** The rows of J, with {@code extraRows} zero rows below them, as one row-major float64 array. */
    static double[] flatten(double[][] jacobian, int extraRows) {
        int p = jacobian[0].length;
        double[] flat = new double[(jacobian.length + extraRows) * p];
        for (int i = 0; i < jacobian.length; i++) {
            System.arraycopy(jacobian[i], 0, flat, i * p, p);
        }
        return flat;
    }

    static double[] transposeTimes(double[][] jacobian, double[] r) {
        double[] out = new double[jacobian[0].length];
        for (int i = 0; i < r.length; i++) {
            Vectors.addScaled(out, r[i], jacobian[i]);
        }
        return out;
    }

    /** MINPACK's gnorm: max over columns j of |J_j . r| / (|J_j| |r|), given g = J&#x1D40;r and the column squares. */
    static double largestCosine(double[] columnSquares, double[] r, double[] gradient) {
        double rNorm = Vectors.norm(r);
        double largest = 0;
        for (int j = 0; j < gradient.length; j++) {
            if (columnSquares[j] > 0) {
                largest = Math.max(largest, Math.abs(gradient[j]) / (Math.sqrt(columnSquares[j]) * rNorm));
            }
        }
        return largest;
    }

    /**
     * The damped step as the least-squares problem [J; &radic;(&lambda;D)] &delta; = [&minus;r; 0] by QR, whose normal
     * equations are (J&#x1D40;J + &lambda;D) &delta; = &minus;J&#x1D40;r but whose condition number is not squared;
     * null when the stacked matrix is rank deficient.
     */
    static double[] dampedStep(double[][] jacobian, double[] r, double lambda, double[] scale) {
        int m = jacobian.length;
        int p = scale.length;
        double[] flat = flatten(jacobian, p);
        double[] rhs = new double[m + p];
        for (int i = 0; i < m; i++) {
            rhs[i] = -r[i];
        }
        for (int j = 0; j < p; j++) {
            flat[(m + j) * p + j] = Math.sqrt(lambda) * Math.sqrt(scale[j]);
            if (!Double.isFinite(flat[(m + j) * p + j])) {
                return null;
            }
        }
        try {
            return QR.factor(NDArray.of(flat, m + p, p)).leastSquares(rhs);
        } catch (SingularMatrixException e) {
            return null;
        }
    }

    static double[] standardErrors(double[][] jacobian, double rss) {
        int m = jacobian.length;
        int p = jacobian[0].length;
        double[] errors = new double[p];
        Arrays.fill(errors, Double.NaN);
        if (m <= p) {
            return errors;
        }
        QR qr = QR.factor(NDArray.of(flatten(jacobian, 0), m, p));
        if (qr.isRankDeficient()) {
            return errors;
        }
        // (J^T J)^-1 = R^-1 R^-T: the row norms of R^-1 give its diagonal without squaring the condition number.
        double[] inverse = LU.factor(qr.r()).inverse().toDoubleArray();
        double variance = rss / (m - p);
        for (int a = 0; a < p; a++) {
            double sum = 0;
            for (int b = 0; b < p; b++) {
                sum += inverse[a * p + b] * inverse[a * p + b];
            }
            errors[a] = Math.sqrt(variance * sum);
        }
        return errors;
    }

    /** {@code r} when it holds residuals; an error naming {@code owner} when the closure returned none. */
    static Tensor checkResiduals(String owner, Tensor r) {
        if (r == null || r.size() == 0) {
            throw new IllegalArgumentException(owner + ": the closure returned no residuals; a least-squares closure returns the"
                    + " residual vector r (and does not call backward())");
        }
        return r;
    }

    /** J at the parameters' current values, one row per residual: the gradient of r_i, by a backward pass seeded with e_i. */
    static double[][] jacobian(String owner, ParameterVector theta, ResidualClosure residuals, int m) {
        return rows(theta, record(owner, theta, residuals, m));
    }

    /**
     * The closure's residuals at the parameters' current values, flattened, with the graph that
     * differentiates them; {@code m} is the count an earlier evaluation returned (negative: none yet).
     */
    static Tensor record(String owner, ParameterVector theta, ResidualClosure residuals, int m) {
        for (Tensor p : theta.parameters()) {
            p.zeroGrad();
        }
        Tensor r;
        try (GradMode.Scope ignored = GradMode.enableGrad()) {
            r = checkResiduals(owner, residuals.residuals()).reshape(-1);
        }
        for (Tensor p : theta.parameters()) {
            if (p.grad() != null) {
                throw new IllegalArgumentException(owner + ": the closure called backward(); a least-squares closure returns the residual"
                        + " vector r and leaves differentiation to the optimizer");
            }
        }
        if (m >= 0 && r.size() != m) {
            throw new IllegalStateException(owner + ": the closure returned " + r.size() + " residuals, earlier " + m);
        }
        return r;
    }

    /** The rows of J for the recorded residuals {@code r}: the gradient of r_i, by a backward pass seeded with e_i. */
    static double[][] rows(ParameterVector theta, Tensor r) {
        Tensor[] inputs = theta.parameters().toArray(new Tensor[0]);
        int rows = r.size();
        double[][] jacobian = new double[rows][];
        if (!r.requiresGrad()) {
            for (int i = 0; i < rows; i++) {
                jacobian[i] = new double[theta.size()];
            }
            return jacobian;
        }
        for (int i = 0; i < rows; i++) {
            NDArray seed = NDArray.zeros(r.dtype(), rows);
            seed.set(1, i);
            jacobian[i] = theta.concatenate(Autograd.grad(new Tensor[] {r}, inputs, new Tensor[] {Tensor.of(seed.to(r.device()))}, false, true));
        }
        return jacobian;
    }
}
