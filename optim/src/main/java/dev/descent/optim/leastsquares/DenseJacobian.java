package dev.descent.optim.leastsquares;

import dev.descent.core.NDArray;
import dev.descent.core.linalg.QR;
import dev.descent.core.linalg.SingularMatrixException;
import dev.descent.core.linalg.Vectors;

/** J stored as its m rows, one per residual; the steps are solved by QR, as MINPACK does. */
record DenseJacobian(String owner, double[][] rows) implements Jacobian {
    @Override
    public double[] columnSquares() {
        return JacobianAlgebra.columnSquares(rows);
    }

    @Override
    public double[] transposeTimes(double[] u) {
        return JacobianAlgebra.transposeTimes(rows, u);
    }

    @Override
    public double[] times(double[] v) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = Vectors.dot(rows[i], v);
        }
        return out;
    }

    @Override
    public double[] dampedStep(double[] r, double lambda, double[] scale) {
        return JacobianAlgebra.dampedStep(rows, r, lambda, scale);
    }

    /** By QR of J itself, better conditioned than the normal equations. */
    @Override
    public double[] gaussNewtonStep(double[] r, double fraction) {
        int m = rows.length;
        int p = rows[0].length;
        if (m < p) {
            throw new IllegalArgumentException(owner + ": " + m + " residuals for " + p + " parameters; Gauss-Newton by QR needs at least as"
                    + " many residuals as parameters (use LevenbergMarquardt, or solver=cg for the minimum-norm step)");
        }
        try {
            return Vectors.scaled(-fraction, QR.factor(NDArray.of(JacobianAlgebra.flatten(rows, 0), m, p)).leastSquares(r));
        } catch (SingularMatrixException e) {
            throw new SingularMatrixException(owner + ": the " + m + "x" + p + " Jacobian is rank deficient at the current parameters,"
                    + " so the Gauss-Newton step is not defined; use Levenberg or LevenbergMarquardt");
        }
    }

    @Override
    public boolean finite() {
        return JacobianAlgebra.finite(rows);
    }
}
