package dev.descent.core.cpu;

import dev.descent.core.Backend.MatrixOperand;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 products with a narrow C whose operands both run along the depth: A's rows and B's
 * columns contiguous (B stored transposed), as in a convolution's weight gradient
 * {@code dW[32, 9] += dY[32, 784] cols[9, 784]^T}. Each element of C is then a dot product of two
 * contiguous runs, computed with vectors along the depth, two rows of A by four columns of B at a
 * time (eight accumulators, six loads per eight fused multiply-adds).
 * <pre>
 *   for each pair of rows i of A, each four columns j of B:
 *     acc[i][j] += A[i, p:p+LANES] * B^T[j, p:p+LANES]   for p in steps of LANES
 *     C[i, j] (+)= sum of acc[i][j]'s lanes + the scalar tail of the depth
 * </pre>
 * {@link VectorGemm}'s outer-product tiles are NR = 64 columns wide: a C nine columns wide filled
 * one panel of 64 with 55 columns of zeros, packed element by element (B transposed, narrower than
 * a gather), and the products ran seven times over; that packing was 13% of a training step of
 * the MNIST CNN.
 */
final class GemmDotKernels {
    private static final VectorSpecies<Float> SPECIES = GemmMicroKernels.SPECIES;
    private static final int LANES = GemmMicroKernels.LANES;
    /** C's widest width that comes here: a quarter of VectorGemm's panel, which wastes the rest on zeros. */
    static final int NARROW = GemmMicroKernels.NR / 4;

    private GemmDotKernels() {
    }

    /** Whether the product is narrow and both operands run along the depth, so dot products beat packed panels. */
    static boolean pays(int m, int n, int k, MatrixOperand a, MatrixOperand b) {
        return !a.transposed() && b.transposed() && n <= NARROW && k >= 4 * LANES;
    }

    static void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        int rowPairs = (m + 1) / 2;
        Parallel.forRange(batch * rowPairs, 1, (start, end) -> {
            float[] sums = new float[8];
            for (int task = start; task < end; task++) {
                int matrix = task / rowPairs;
                int i = (task % rowPairs) * 2;
                rowPair(matrix, i, Math.min(2, m - i), n, k, a, b, c, accumulate, sums);
            }
        });
    }

    /** C[i .. i + rows) for every column, {@code rows} 1 or 2. */
    private static void rowPair(int matrix, int i, int rows, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c,
                                boolean accumulate, float[] sums) {
        float[] av = ((CpuStorage) a.storage()).floats;
        float[] bv = ((CpuStorage) b.storage()).floats;
        float[] cv = ((CpuStorage) c.storage()).floats;
        int lda = a.leadingDimension();
        int ldb = b.leadingDimension();
        int a0 = a.offset() + matrix * a.batchStride() + i * lda;
        int a1 = rows == 2 ? a0 + lda : a0;   // a lone last row is computed twice and stored once
        int bBase = b.offset() + matrix * b.batchStride();
        int cBase = c.offset() + matrix * c.batchStride();
        int ldc = c.leadingDimension();
        for (int j = 0; j < n; j += 4) {
            int columns = Math.min(4, n - j);
            // missing columns repeat the last one: the same loads, results not stored
            int b0 = bBase + j * ldb;
            int b1 = bBase + (j + Math.min(1, columns - 1)) * ldb;
            int b2 = bBase + (j + Math.min(2, columns - 1)) * ldb;
            int b3 = bBase + (j + Math.min(3, columns - 1)) * ldb;
            dot2x4(av, a0, a1, bv, b0, b1, b2, b3, k, sums);
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < columns; q++) {
                    int at = cBase + (i + r) * ldc + j + q;
                    cv[at] = (accumulate ? cv[at] : 0f) + sums[r * 4 + q];
                }
            }
        }
    }

    /** sums[r * 4 + q] = A row r (at a0 or a1) . B column q (at b0 .. b3), over {@code k} contiguous elements. */
    private static void dot2x4(float[] a, int a0, int a1, float[] b, int b0, int b1, int b2, int b3, int k, float[] sums) {
        FloatVector s00 = FloatVector.zero(SPECIES);
        FloatVector s01 = FloatVector.zero(SPECIES);
        FloatVector s02 = FloatVector.zero(SPECIES);
        FloatVector s03 = FloatVector.zero(SPECIES);
        FloatVector s10 = FloatVector.zero(SPECIES);
        FloatVector s11 = FloatVector.zero(SPECIES);
        FloatVector s12 = FloatVector.zero(SPECIES);
        FloatVector s13 = FloatVector.zero(SPECIES);
        int p = 0;
        for (; p + LANES <= k; p += LANES) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, a0 + p);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, a1 + p);
            FloatVector y = FloatVector.fromArray(SPECIES, b, b0 + p);
            s00 = x0.fma(y, s00);
            s10 = x1.fma(y, s10);
            y = FloatVector.fromArray(SPECIES, b, b1 + p);
            s01 = x0.fma(y, s01);
            s11 = x1.fma(y, s11);
            y = FloatVector.fromArray(SPECIES, b, b2 + p);
            s02 = x0.fma(y, s02);
            s12 = x1.fma(y, s12);
            y = FloatVector.fromArray(SPECIES, b, b3 + p);
            s03 = x0.fma(y, s03);
            s13 = x1.fma(y, s13);
        }
        sums[0] = s00.reduceLanes(VectorOperators.ADD);
        sums[1] = s01.reduceLanes(VectorOperators.ADD);
        sums[2] = s02.reduceLanes(VectorOperators.ADD);
        sums[3] = s03.reduceLanes(VectorOperators.ADD);
        sums[4] = s10.reduceLanes(VectorOperators.ADD);
        sums[5] = s11.reduceLanes(VectorOperators.ADD);
        sums[6] = s12.reduceLanes(VectorOperators.ADD);
        sums[7] = s13.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            float x0 = a[a0 + p];
            float x1 = a[a1 + p];
            sums[0] += x0 * b[b0 + p];
            sums[1] += x0 * b[b1 + p];
            sums[2] += x0 * b[b2 + p];
            sums[3] += x0 * b[b3 + p];
            sums[4] += x1 * b[b0 + p];
            sums[5] += x1 * b[b1 + p];
            sums[6] += x1 * b[b2 + p];
            sums[7] += x1 * b[b3 + p];
        }
    }
}
