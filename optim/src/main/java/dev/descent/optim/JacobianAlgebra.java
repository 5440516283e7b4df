package dev.descent.optim;

import dev.descent.core.NDArray;
import dev.descent.core.linalg.LU;
import dev.descent.core.linalg.QR;
import dev.descent.core.linalg.SingularMatrixException;
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

    static double[][] normalMatrix(double[][] jacobian) {
        int p = jacobian[0].length;
        double[][] normal = new double[p][p];
        for (double[] row : jacobian) {
            for (int a = 0; a < p; a++) {
                if (row[a] != 0) {
                    for (int b = a; b < p; b++) {
                        normal[a][b] += row[a] * row[b];
                    }
                }
            }
        }
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < a; b++) {
                normal[a][b] = normal[b][a];
            }
        }
        return normal;
    }

    static double[] transposeTimes(double[][] jacobian, double[] r) {
        double[] out = new double[jacobian[0].length];
        for (int i = 0; i < r.length; i++) {
            Vectors.addScaled(out, r[i], jacobian[i]);
        }
        return out;
    }

    /** MINPACK's gnorm: max over columns j of |J_j . r| / (|J_j| |r|). */
    static double largestCosine(double[][] jacobian, double[] r, double[] gradient) {
        double rNorm = Vectors.norm(r);
        double largest = 0;
        for (int j = 0; j < gradient.length; j++) {
            double column = 0;
            for (double[] row : jacobian) {
                column += row[j] * row[j];
            }
            if (column > 0) {
                largest = Math.max(largest, Math.abs(gradient[j]) / (Math.sqrt(column) * rNorm));
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
        double[] flat = new double[(m + p) * p];
        for (int i = 0; i < m; i++) {
            System.arraycopy(jacobian[i], 0, flat, i * p, p);
        }
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
        double[] flat = new double[m * p];
        for (int i = 0; i < m; i++) {
            System.arraycopy(jacobian[i], 0, flat, i * p, p);
        }
        QR qr = QR.factor(NDArray.of(flat, m, p));
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
}
