package dev.descent.optim.leastsquares;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.Tensor;
import dev.descent.core.CounterStream;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.Vectors;
import dev.descent.optim.ParameterVector;

/**
 * J at one point as an operator that never forms the m &times; p matrix, for residuals of a
 * network over a batch (m = batch &times; classes, p up to millions). Every product comes from
 * autograd on the residuals' recorded graph:
 * <pre>
 *   J&#x1D40;u      one backward pass seeded with u
 *   J v       the backward pass seeded with a variable w, recorded: J&#x1D40;w is linear in w, and the gradient of
 *             (J&#x1D40;w)&middot;v with respect to w is J v (a forward-mode product from two reverse passes)
 *   diag(J&#x1D40;J) &asymp; mean over k probes z of (J&#x1D40;z)&sup2;, z of independent random signs (Hutchinson's estimator:
 *             its expectation is the exact diagonal, since E[z z&#x1D40;] = I)
 * </pre>
 * The steps solve the damped normal equations (J&#x1D40;J + &lambda;D) &delta; = &minus;J&#x1D40;r by conjugate gradients
 * from &delta; = 0, each iteration one J v and one J&#x1D40;u, until the residual of the system is below
 * 1e-10 &Vert;J&#x1D40;r&Vert; (in exact arithmetic CG is exact after p iterations, so a small problem gets the
 * step a stored J would give) or the iteration budget is spent: the truncated solve scipy's
 * least_squares runs with {@code tr_solver='lsmr'}. A truncated step is not evidence of
 * convergence, so the loop's step-size tests skip it ({@link #lastSolveExact()}). Without damping
 * (Gauss-Newton) conjugate gradients started at zero stay in the row space of J and converge to
 * the minimum-norm step, so a problem with fewer residuals than parameters has a step too.
 */
final class JacobianOperator implements Jacobian {
    /** Random-sign probes per estimate of diag(J&#x1D40;J): a scaling, so a rough estimate serves. */
    static final int PROBES = 4;
    /** The solve's stopping test, relative to &Vert;J&#x1D40;r&Vert;. */
    static final double RELATIVE_TOLERANCE = 1e-10;

    private final ParameterVector theta;
    private final Tensor residuals;
    private final Tensor[] inputs;
    /** w, and J&#x1D40;w recorded as a function of it; null when the residuals do not depend on the parameters. */
    private final Tensor seed;
    private final Tensor[] transposedSeed;
    private final int maxIterations;
    private final long probeKey;
    private double[] columnSquares;
    private boolean lastSolveExact = true;

    /** The operator on the flattened residual graph {@code residuals}; {@code probeKey} keys the random signs of the diagonal's probes. */
    JacobianOperator(ParameterVector theta, Tensor residuals, int maxIterations, long probeKey) {
        this.theta = theta;
        this.residuals = residuals;
        this.inputs = theta.parameters().toArray(new Tensor[0]);
        this.maxIterations = maxIterations;
        this.probeKey = probeKey;
        if (residuals.requiresGrad()) {
            seed = Tensor.of(residuals.data().zerosLike()).requiresGrad(true);
            transposedSeed = Autograd.grad(new Tensor[] {residuals}, inputs, new Tensor[] {seed}, true, true);
        } else {
            seed = null;
            transposedSeed = null;
        }
    }

    @Override
    public double[] transposeTimes(double[] u) {
        if (seed == null) {
            return new double[theta.size()];
        }
        Tensor weights = Tensor.of(NDArray.of(u, u.length).astype(residuals.dtype()).to(residuals.device()));
        return theta.concatenate(Autograd.grad(new Tensor[] {residuals}, inputs, new Tensor[] {weights}, false, true));
    }

    @Override
    public double[] times(double[] v) {
        int m = residuals.size();
        if (seed == null) {
            return new double[m];
        }
        Tensor[] parts = theta.split(v);
        Tensor dot = null;
        for (int i = 0; i < parts.length; i++) {
            if (transposedSeed[i].requiresGrad()) {
                Tensor term = transposedSeed[i].mul(parts[i]).sum();
                dot = dot == null ? term : dot.add(term);
            }
        }
        if (dot == null) {
            return new double[m];
        }
        return Autograd.grad(new Tensor[] {dot}, new Tensor[] {seed}, null, false, true)[0].data().toDoubleArray();
    }

    @Override
    public double[] columnSquares() {
        if (columnSquares == null) {
            int m = residuals.size();
            double[] sum = new double[theta.size()];
            for (int k = 0; k < PROBES; k++) {
                double[] signs = new double[m];
                for (int i = 0; i < m; i++) {
                    signs[i] = CounterStream.bits(probeKey, (long) k * m + i) < 0 ? -1 : 1;
                }
                double[] product = transposeTimes(signs);
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += product[j] * product[j] / PROBES;
                }
            }
            columnSquares = sum;
        }
        return columnSquares;
    }

    @Override
    public double[] dampedStep(double[] r, double lambda, double[] scale) {
        double[] rightHandSide = Vectors.scaled(-1, transposeTimes(r));
        double rightHandNorm = Vectors.norm(rightHandSide);
        double[] step = new double[rightHandSide.length];
        if (rightHandNorm == 0) {
            return step;
        }
        double tolerance = RELATIVE_TOLERANCE * rightHandNorm;
        lastSolveExact = false;
        double[] residual = rightHandSide.clone();
        double[] direction = residual.clone();
        double residualSquares = Vectors.dot(residual, residual);
        for (int k = 0; k < maxIterations; k++) {
            double[] product = transposeTimes(times(direction));
            if (scale != null) {
                for (int j = 0; j < product.length; j++) {
                    product[j] += lambda * scale[j] * direction[j];
                }
            }
            double curvature = Vectors.dot(direction, product);
            if (!(curvature > 0)) {
                // J d = 0 along a direction of the gradient's span happens only in rounding: keep what was solved
                return k == 0 || !Double.isFinite(curvature) ? null : step;
            }
            double alpha = residualSquares / curvature;
            Vectors.addScaled(step, alpha, direction);
            Vectors.addScaled(residual, -alpha, product);
            double nextSquares = Vectors.dot(residual, residual);
            if (Math.sqrt(nextSquares) <= tolerance) {
                lastSolveExact = true;
                break;
            }
            double beta = nextSquares / residualSquares;
            for (int j = 0; j < direction.length; j++) {
                direction[j] = residual[j] + beta * direction[j];
            }
            residualSquares = nextSquares;
        }
        for (double value : step) {
            if (!Double.isFinite(value)) {
                return null;
            }
        }
        return step;
    }

    @Override
    public boolean lastSolveExact() {
        return lastSolveExact;
    }

    @Override
    public double[] gaussNewtonStep(double[] r, double fraction) {
        double[] step = dampedStep(r, 0, null);
        return step == null ? null : Vectors.scaled(fraction, step);
    }

    @Override
    public boolean finite() {
        for (double value : columnSquares()) {
            if (!Double.isFinite(value)) {
                return false;
            }
        }
        return true;
    }
}
