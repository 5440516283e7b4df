package dev.descent.optim.leastsquares;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.linalg.LU;
import dev.descent.optim.Fixtures;
import dev.descent.optim.ParameterVector;
import dev.descent.optim.ResidualClosure;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The matrix-free Jacobian ({@code solver=cg}) against the stored one: its products, its diagonal,
 * and the fits it reaches.
 */
class JacobianOperatorTest {
    private static double[] randomVector(Generator generator, int n) {
        return NDArray.randn(DType.FLOAT64, generator, n).toDoubleArray();
    }

    @Test
    void productsWithJAndItsTransposeMatchTheStoredJacobianOnRandomNetworks() {
        Generator generator = new Generator(3);
        for (int trial = 0; trial < 5; trial++) {
            int batch = 2 + generator.nextInt(5);
            int in = 1 + generator.nextInt(4);
            int out = 1 + generator.nextInt(4);
            Tensor weight = Tensor.randn(DType.FLOAT64, generator, out, in).requiresGrad(true);
            Tensor bias = Tensor.randn(DType.FLOAT64, generator, out).requiresGrad(true);
            Tensor x = Tensor.randn(DType.FLOAT64, generator, batch, in);
            Tensor y = Tensor.randn(DType.FLOAT64, generator, batch, out);
            ResidualClosure residuals = () -> x.matmul(weight.transpose(0, 1)).add(bias).tanh().sub(y);
            ParameterVector theta = ParameterVector.of(List.of(weight, bias));
            double[][] rows = JacobianAlgebra.jacobian("test", theta, residuals, -1);
            DenseJacobian dense = new DenseJacobian("test", rows);
            JacobianOperator operator = new JacobianOperator(theta, JacobianAlgebra.record("test", theta, residuals, -1), 50, trial);
            double[] v = randomVector(generator, theta.size());
            double[] u = randomVector(generator, batch * out);
            assertArrayEquals(dense.times(v), operator.times(v), 1e-12, "J v, trial " + trial);
            assertArrayEquals(dense.transposeTimes(u), operator.transposeTimes(u), 1e-12, "J^T u, trial " + trial);
        }
    }

    @Test
    void theDiagonalEstimateIsExactForOneResidualAndUnbiasedOverManyProbes() {
        Generator generator = new Generator(5);
        Tensor w = Tensor.randn(DType.FLOAT64, generator, 6).requiresGrad(true);
        Tensor x = Tensor.randn(DType.FLOAT64, generator, 6);
        ParameterVector theta = ParameterVector.of(List.of(w));
        ResidualClosure one = () -> w.mul(x).sum().sin().reshape(1);
        double[] exact = new DenseJacobian("test", JacobianAlgebra.jacobian("test", theta, one, -1)).columnSquares();
        double[] estimate = new JacobianOperator(theta, JacobianAlgebra.record("test", theta, one, -1), 10, 7).columnSquares();
        assertArrayEquals(exact, estimate, 1e-12, "one residual: (J^T z)^2 = J^2 for either sign");

        Tensor a = Tensor.randn(DType.FLOAT64, generator, 8, 6);
        ResidualClosure many = () -> a.matmul(w).tanh();
        double[] columns = new DenseJacobian("test", JacobianAlgebra.jacobian("test", theta, many, -1)).columnSquares();
        double[] mean = new double[columns.length];
        int keys = 400;
        for (int key = 0; key < keys; key++) {
            double[] sample = new JacobianOperator(theta, JacobianAlgebra.record("test", theta, many, -1), 10, key).columnSquares();
            for (int j = 0; j < mean.length; j++) {
                mean[j] += sample[j] / keys;
            }
        }
        for (int j = 0; j < mean.length; j++) {
            // 1600 probes: the mean's relative standard error is below sqrt(2/1600) = 3.5%
            assertEquals(columns[j], mean[j], 0.15 * columns[j], "column " + j);
        }
    }

    @Test
    void gaussNewtonWithConjugateGradientsFindsTheMinimumNormSolutionOfAnUnderdeterminedSystem() {
        Generator generator = new Generator(8);
        int m = 3;
        int p = 8;
        NDArray a = NDArray.randn(DType.FLOAT64, generator, m, p);
        double[] observed = randomVector(generator, m);
        Tensor design = Tensor.of(a);
        Tensor y = Tensor.of(NDArray.of(observed, m));
        Tensor b = Tensor.zeros(p).astype(DType.FLOAT64).requiresGrad(true);
        ResidualClosure residuals = () -> design.matmul(b).sub(y);
        // b+ = A^T (A A^T)^-1 y, the solution of least norm
        double[] multipliers = LU.factor(a.matmul(a.transpose(0, 1))).solve(NDArray.of(observed, m)).toDoubleArray();
        double[] expected = a.transpose(0, 1).matmul(NDArray.of(multipliers, m)).toDoubleArray();
        LeastSquaresResult result = LeastSquaresTest.solve(new GaussNewton(List.of(b), GaussNewton.options().solver("cg")), residuals);
        assertArrayEquals(expected, result.parameters(), 1e-9);
        assertTrue(result.residualSumOfSquares() < 1e-18, "rss " + result.residualSumOfSquares());

        b.data().copyFrom(NDArray.zeros(DType.FLOAT64, p));
        GaussNewton dense = new GaussNewton(List.of(b), GaussNewton.options().solver("dense"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dense.step(residuals));
        assertTrue(e.getMessage().contains("3 residuals for 8 parameters") && e.getMessage().contains("solver=cg"), e.getMessage());
    }

    @Test
    void everyMethodReachesEveryCertifiedNistFitFromTheSecondStartWithoutStoringTheJacobian() {
        List<String> failures = new ArrayList<>();
        for (JsonNode problem : Fixtures.load("nist_strd.json", "tools/nist_strd.py").get("problems")) {
            String name = problem.get("name").asText();
            double[] certified = Fixtures.doubles(problem.get("certified"));
            for (String method : new String[] {"gaussnewton", "levenberg", "levenbergmarquardt"}) {
                LeastSquaresResult result = NistLeastSquaresTest.fit(problem, Fixtures.doubles(problem.get("start2")),
                        method + ":solver=cg,maxEvaluations=20000");
                for (int j = 0; j < certified.length; j++) {
                    if (!(NistLeastSquaresTest.logRelativeError(result.parameters()[j], certified[j]) >= 6)) {
                        failures.add(name + " " + method + " b" + (j + 1) + " = " + result.parameters()[j] + ", certified " + certified[j]
                                + " (" + result.stopReason() + ")");
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
