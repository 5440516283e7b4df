package dev.descent.core.linalg;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

    @Test
    void reconstructsRandomSymmetricMatricesWithOrthonormalVectors() {
        Generator g = new Generator(4);
        for (int n : new int[] {1, 2, 5, 17, 40}) {
            NDArray b = NDArray.randn(DType.FLOAT64, g, n, n);
            NDArray a = b.add(b.t());
            SymmetricEigen.Result r = SymmetricEigen.decompose(a);
            NDArray v = r.vectors();
            NDArray rebuilt = v.mul(r.values()).matmul(v.t());
            double scale = a.abs().max().item();
            assertTrue(rebuilt.allClose(a, 0, 1e-12 * scale * n), "A = V diag(l) V^T for n = " + n);
            assertTrue(v.t().matmul(v).allClose(NDArray.eye(DType.FLOAT64, n), 0, 1e-12), "V is orthonormal for n = " + n);
            double[] values = r.values().toDoubleArray();
            for (int i = 1; i < n; i++) {
                assertTrue(values[i - 1] <= values[i], "eigenvalues ascend");
            }
        }
    }

    @Test
    void closedForms() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3 with vectors (1, -1)/sqrt 2 and (1, 1)/sqrt 2
        SymmetricEigen.Result r = SymmetricEigen.decompose(NDArray.of(new double[] {2, 1, 1, 2}, 2, 2));
        assertArrayEquals(new double[] {1, 3}, r.values().toDoubleArray(), 1e-15);
        double[] v = r.vectors().abs().toDoubleArray();
        assertArrayEquals(new double[] {Math.sqrt(0.5), Math.sqrt(0.5), Math.sqrt(0.5), Math.sqrt(0.5)}, v, 1e-15);
        SymmetricEigen.Result diagonal = SymmetricEigen.decompose(NDArray.of(new double[] {5, 0, 0, 0, -1, 0, 0, 0, 2}, 3, 3));
        assertArrayEquals(new double[] {-1, 2, 5}, diagonal.values().toDoubleArray(), 0);
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.decompose(NDArray.of(new double[] {1, 2, 3, 4}, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.decompose(NDArray.zeros(2, 3)));
    }
}
