package dev.descent.examples;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.QR;
import dev.descent.core.linalg.SymmetricEigen;
import dev.descent.optim.ResidualClosure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Jacobian of a fit's residuals and what it says about the parameters: {@code descent fit}
 * checks it at the start (is every derivative finite?) and at the solution (does the data determine
 * every parameter, and can it tell them apart?).
 */
final class FitJacobian {
    private FitJacobian() {
    }

    /** J at the parameters' current values, one row per residual, by a backward pass per row. */
    static double[][] at(ResidualClosure residuals, List<Tensor> parameters) {
        Tensor r;
        try (var ignored = GradMode.enableGrad()) {
            r = residuals.residuals().reshape(-1);
        }
        int rows = r.size();
        int p = parameters.size();
        double[][] jacobian = new double[rows][p];
        if (!r.requiresGrad()) {
            return jacobian;
        }
        Tensor[] inputs = parameters.toArray(new Tensor[0]);
        for (int i = 0; i < rows; i++) {
            NDArray seed = NDArray.zeros(r.dtype(), rows);
            seed.set(1, i);
            Tensor[] grads = Autograd.grad(new Tensor[] {r}, inputs, new Tensor[] {Tensor.of(seed.to(r.device()))}, false, true);
            for (int k = 0; k < p; k++) {
                jacobian[i][k] = grads[k].item();
            }
        }
        return jacobian;
    }

    /**
     * Null when J (m &ge; p) has full column rank; otherwise which parameters it cannot determine, in
     * words, {@code where} ("at the solution") placing it: the parameters whose column is zero, or
     * those a null vector of J (column-scaled) mixes, which the data cannot tell apart.
     */
    static String rankDeficiency(double[][] jacobian, String where) {
        int m = jacobian.length;
        int p = jacobian[0].length;
        if (!Arrays.stream(jacobian).flatMapToDouble(Arrays::stream).allMatch(Double::isFinite)) {
            return "the Jacobian is not finite " + where;
        }
        double[] norms = new double[p];
        double largest = 0;
        for (int k = 0; k < p; k++) {
            for (double[] row : jacobian) {
                norms[k] = Math.hypot(norms[k], row[k]);
            }
            largest = Math.max(largest, norms[k]);
        }
        List<String> zero = new ArrayList<>();
        for (int k = 0; k < p; k++) {
            if (norms[k] <= Math.max(m, p) * 0x1p-52 * largest || largest == 0) {
                zero.add("b" + (k + 1));
            }
        }
        if (!zero.isEmpty()) {
            return "the data do not determine " + String.join(", ", zero) + " (" + (zero.size() == 1 ? "its column" : "their columns")
                    + " of the Jacobian " + (zero.size() == 1 ? "is" : "are") + " zero " + where + ")";
        }
        double[] flat = new double[m * p];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < p; k++) {
                flat[i * p + k] = jacobian[i][k] / norms[k];
            }
        }
        if (!QR.factor(NDArray.of(flat, m, p)).isRankDeficient()) {
            return null;
        }
        return "the Jacobian is rank deficient " + where + ": " + String.join(", ", mixed(flat, m, p)) + " are not separately determined";
    }

    /** The parameters that the null vectors of the column-scaled J (m x p, row-major) mix. */
    private static List<String> mixed(double[] scaled, int m, int p) {
        double[] gram = new double[p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                double sum = 0;
                for (int i = 0; i < m; i++) {
                    sum += scaled[i * p + a] * scaled[i * p + b];
                }
                gram[a * p + b] = sum;
            }
        }
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < a; b++) {
                gram[a * p + b] = gram[b * p + a];
            }
        }
        SymmetricEigen.Result eigen = SymmetricEigen.decompose(NDArray.of(gram, p, p));
        double[] eigenvalues = eigen.values().toDoubleArray();
        double[] vectors = eigen.vectors().toDoubleArray();
        double top = eigenvalues[p - 1];
        boolean[] involved = new boolean[p];
        for (int j = 0; j < p; j++) {
            if (j > 0 && eigenvalues[j] > 1e-12 * top) {
                break;
            }
            double biggest = 0;
            for (int k = 0; k < p; k++) {
                biggest = Math.max(biggest, Math.abs(vectors[k * p + j]));
            }
            for (int k = 0; k < p; k++) {
                if (Math.abs(vectors[k * p + j]) >= 0.1 * biggest) {
                    involved[k] = true;
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < p; k++) {
            if (involved[k]) {
                names.add("b" + (k + 1));
            }
        }
        return names;
    }
}
