package dev.descent.core.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

class DirectSolverTest {
    private static final double EPS = 0x1p-52;
    private static final int[] SIZES = {1, 2, 3, 8, 25, 60};
    private static final double[] CONDITIONS = {1, 1e3, 1e10};

    @Test
    void choleskyReconstructsAndSolvesWellAndIllConditionedMatrices() {
        Generator g = new Generator(11);
        for (int n : SIZES) {
            for (double condition : CONDITIONS) {
                NDArray a = RandomMatrices.symmetricPositiveDefinite(g, n, condition);
                Cholesky chol = Cholesky.factor(a);
                NDArray l = chol.lower();
                assertTrue(RandomMatrices.maxAbsDifference(l.matmul(l.t()), a) < 50 * n * EPS, "L L^T = A, n=" + n + " cond=" + condition);
                assertEquals(0.0, RandomMatrices.maxAbsOffTriangle(l, true), "L is lower triangular");
                double[] b = RandomMatrices.vector(g, n);
                double[] x = chol.solve(b);
                assertTrue(RandomMatrices.relativeResidual(a, x, b) < 50 * n * EPS, "backward error, n=" + n + " cond=" + condition);
                double logDet = 0;
                for (double s : RandomMatrices.spectrum(n, condition)) {
                    logDet += Math.log(s);
                }
                assertEquals(logDet, chol.logDeterminant(), 1e-6 * Math.max(1, Math.abs(logDet)) + 1e-9 * condition * EPS * 1e6);
                NDArray inverse = chol.inverse();
                assertTrue(RandomMatrices.maxAbsDifference(a.matmul(inverse), NDArray.eye(DType.FLOAT64, n)) < 100 * n * condition * EPS,
                        "A A^-1 = I");
            }
        }
    }

    @Test
    void choleskyRefusesIndefiniteSingularAndAsymmetricMatricesByName() {
        NDArray indefinite = NDArray.of(new double[] {1, 2, 2, 1}, 2, 2);
        NotPositiveDefiniteException e = assertThrows(NotPositiveDefiniteException.class, () -> Cholesky.factor(indefinite));
        assertEquals(1, e.index());
        assertEquals(-3.0, e.pivot(), 1e-12);
        assertTrue(e.getMessage().contains("Cholesky") && e.getMessage().contains("not positive definite"), e.getMessage());
        NDArray singular = NDArray.of(new double[] {1, 1, 1, 1}, 2, 2);
        assertThrows(NotPositiveDefiniteException.class, () -> Cholesky.factor(singular));
        NDArray negative = NDArray.of(new double[] {-4}, 1, 1);
        assertThrows(NotPositiveDefiniteException.class, () -> Cholesky.factor(negative));
        IllegalArgumentException asym = assertThrows(IllegalArgumentException.class,
                () -> Cholesky.factor(NDArray.of(new double[] {2, 1, 0, 2}, 2, 2)));
        assertTrue(asym.getMessage().contains("not symmetric"), asym.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cholesky.factor(NDArray.of(new double[] {1, 2, 3}, 1, 3)));
        assertThrows(IllegalArgumentException.class, () -> Cholesky.factor(NDArray.of(new double[] {Double.NaN}, 1, 1)));
    }

    @Test
    void jitterMakesASemidefiniteMatrixFactorizableAndReportsTheShift() {
        Generator g = new Generator(5);
        NDArray v = NDArray.randn(DType.FLOAT64, g, 6, 3);
        NDArray psd = v.matmul(v.t()); // rank 3 of 6
        assertThrows(NotPositiveDefiniteException.class, () -> Cholesky.factor(psd));
        Cholesky chol = Cholesky.factorWithJitter(psd, 1e-10, 8);
        assertTrue(chol.jitter() > 0, "a shift was needed");
        NDArray l = chol.lower();
        NDArray shifted = psd.add(NDArray.eye(DType.FLOAT64, 6).mul(chol.jitter()));
        assertTrue(RandomMatrices.maxAbsDifference(l.matmul(l.t()), shifted) < 1e-12 * psd.abs().max().item());
        assertEquals(0.0, Cholesky.factorWithJitter(NDArray.eye(DType.FLOAT64, 3), 1e-10, 3).jitter(), "no shift when none is needed");
        NDArray indefinite = NDArray.of(new double[] {1, 0, 0, -100}, 2, 2);
        assertThrows(NotPositiveDefiniteException.class, () -> Cholesky.factorWithJitter(indefinite, 1e-8, 3));
    }

    @Test
    void luSolvesInvertsAndReconstructsGeneralMatrices() {
        Generator g = new Generator(12);
        for (int n : SIZES) {
            for (double condition : CONDITIONS) {
                NDArray a = RandomMatrices.general(g, n, n, condition);
                LU lu = LU.factor(a);
                assertFalse(lu.isSingular());
                int[] pivots = lu.pivots();
                NDArray pa = a.indexSelect(0, NDArray.of(pivots, n));
                assertTrue(RandomMatrices.maxAbsDifference(lu.lower().matmul(lu.upper()), pa) < 20 * n * EPS, "P A = L U");
                assertTrue(lu.lower().abs().max().item() <= 1 + 1e-15, "partial pivoting bounds L by 1");
                double[] b = RandomMatrices.vector(g, n);
                assertTrue(RandomMatrices.relativeResidual(a, lu.solve(b), b) < 50 * n * EPS, "backward error n=" + n + " cond=" + condition);
                assertTrue(RandomMatrices.maxAbsDifference(a.matmul(lu.inverse()), NDArray.eye(DType.FLOAT64, n)) < 100 * n * condition * EPS);
            }
        }
    }

    @Test
    void luDeterminantMatchesClosedForms() {
        // det of a triangular matrix is the product of its diagonal; row swaps flip the sign.
        NDArray upper = NDArray.of(new double[] {2, 7, 1, 0, -3, 4, 0, 0, 0.5}, 3, 3);
        assertEquals(-3.0, LU.factor(upper).determinant(), 1e-14);
        NDArray swapped = upper.indexSelect(0, NDArray.of(new int[] {2, 0, 1}, 3));
        assertEquals(-3.0, LU.factor(swapped).determinant(), 1e-14, "a cyclic permutation of rows is even");
        NDArray twoSwapped = upper.indexSelect(0, NDArray.of(new int[] {1, 0, 2}, 3));
        assertEquals(3.0, LU.factor(twoSwapped).determinant(), 1e-14);
        Generator g = new Generator(3);
        NDArray a = NDArray.randn(DType.FLOAT64, g, 7, 7);
        NDArray b = NDArray.randn(DType.FLOAT64, g, 7, 7);
        double product = LU.factor(a).determinant() * LU.factor(b).determinant();
        assertEquals(product, LU.factor(a.matmul(b)).determinant(), 1e-10 * Math.abs(product), "det(AB) = det A det B");
    }

    @Test
    void luReportsSingularMatricesInsteadOfReturningInfinities() {
        NDArray singular = NDArray.of(new double[] {1, 2, 3, 2, 4, 6, 1, 0, 1}, 3, 3);
        LU lu = LU.factor(singular);
        assertTrue(lu.isSingular());
        assertEquals(0.0, lu.determinant(), 1e-15);
        SingularMatrixException e = assertThrows(SingularMatrixException.class, () -> lu.solve(new double[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("LU.solve") && e.getMessage().contains("singular"), e.getMessage());
        assertThrows(SingularMatrixException.class, lu::inverse);
        assertThrows(SingularMatrixException.class, () -> LU.factor(NDArray.zeros(DType.FLOAT64, 4, 4)).solve(new double[4]));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> LU.factor(NDArray.eye(DType.FLOAT64, 3)).solve(new double[2]));
        assertTrue(wrong.getMessage().contains("2 entries, expected 3"), wrong.getMessage());
    }

    @Test
    void qrIsOrthonormalReconstructsAndSolvesLeastSquares() {
        Generator g = new Generator(13);
        int[][] shapes = {{1, 1}, {5, 1}, {6, 6}, {30, 4}, {80, 25}};
        for (int[] shape : shapes) {
            for (double condition : CONDITIONS) {
                int m = shape[0];
                int n = shape[1];
                NDArray a = RandomMatrices.general(g, m, n, condition);
                QR qr = QR.factor(a);
                NDArray q = qr.q();
                NDArray r = qr.r();
                assertTrue(RandomMatrices.maxAbsDifference(q.t().matmul(q), NDArray.eye(DType.FLOAT64, n)) < 20 * m * EPS, "Q^T Q = I");
                assertTrue(RandomMatrices.maxAbsDifference(q.matmul(r), a) < 20 * m * EPS, "Q R = A");
                assertEquals(0.0, RandomMatrices.maxAbsOffTriangle(r, false), "R is upper triangular");
                double[] b = RandomMatrices.vector(g, m);
                double[] x = qr.leastSquares(b);
                // The least-squares residual is orthogonal to the columns of A (normal equations).
                NDArray residual = a.matmul(NDArray.of(x, n)).sub(NDArray.of(b, m));
                double normal = a.t().matmul(residual).abs().max().item();
                assertTrue(normal < 100 * m * EPS * (1 + condition * EPS * 1e3) * Math.max(1, Vectors.norm(x)),
                        "A^T (A x - b) = 0 for " + m + "x" + n + " cond=" + condition + ": " + normal);
            }
        }
    }

    @Test
    void qrRecoversAnExactSolutionAndRefusesRankDeficiency() {
        Generator g = new Generator(14);
        NDArray a = RandomMatrices.general(g, 20, 5, 100);
        double[] truth = {1, -2, 3, 0.5, 4};
        double[] b = a.matmul(NDArray.of(truth, 5)).toDoubleArray();
        double[] x = QR.factor(a).leastSquares(b);
        for (int i = 0; i < 5; i++) {
            assertEquals(truth[i], x[i], 1e-12);
        }
        NDArray deficient = NDArray.of(new double[] {1, 2, 2, 4, 3, 6}, 3, 2);
        QR qr = QR.factor(deficient);
        assertTrue(qr.isRankDeficient());
        SingularMatrixException e = assertThrows(SingularMatrixException.class, () -> qr.leastSquares(new double[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("rank deficient"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QR.factor(NDArray.zeros(DType.FLOAT64, 2, 3)));
    }
}
