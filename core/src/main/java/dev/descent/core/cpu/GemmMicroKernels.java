package dev.descent.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner products of {@link VectorGemm}: {@code C[MR x NR] (+)= A[MR x kc] .
 * B[kc x NR]} with the whole tile of C held in vector registers for the full depth, so that each
 * step of the depth is MR broadcasts of A, NR / LANES loads of B and MR * NR / LANES fused
 * multiply-adds, and memory is touched only by those loads.
 *
 * <p>The tile shape depends on the register file. With 512-bit vectors (AVX-512, 32 registers) the
 * tile is 4 x 64: sixteen accumulators, four B vectors and one broadcast use 21 registers, and a
 * broadcast feeds four FMAs. Measured on the development machine (Zen 4, 3.6 GHz, one core, A and B
 * in cache), 4 x 64 ran at 114 GFLOP/s, 98% of the core's 116 GFLOP/s of FMA throughput; the
 * 6 x 32 tile used before ran at 105, 8 x 32 at 107, 6 x 48 at 112, 12 x 32 (spilling) at 71.
 * Narrower vectors (AVX2's 16 registers) keep 6 x 2 vectors: twelve accumulators, two B vectors
 * and a broadcast fit in 15 registers.
 *
 * <p>A is read in place wherever it lies: element (i, p) at {@code a[ao + i * rowStride + p *
 * columnStride]}, with one of the strides 1. Each case has its own kernel (with AVX-512), because
 * the JIT removes the bounds checks of {@code a[rowStart + p]} from the loop but not those of an
 * index scaled by a variable stride: a kernel for any strides ran 7% slower on rows (105 against
 * 113 GFLOP/s) and 10% slower on a transposed A (the output gradient in {@code g.t() @ x}). B is
 * a packed panel, NR values per step.
 *
 * <p>The kernels always load a start tile and add to it: C to accumulate, or a tile of zeros
 * ({@link #ZEROS}, row stride 0, always in L1) to overwrite. With a branch that started the
 * accumulators at zero instead, the JIT now and then typed them as the abstract
 * {@code FloatVector}, could not compile the vector stores to instructions and ran the Vector
 * API's Java fallback, five times slower for the whole run.
 */
final class GemmMicroKernels {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Whether vectors are 512 bits or wider, and so (on every ISA that has them) 32 registers are available. */
    private static final boolean WIDE = LANES >= 16;
    /** Rows of the tile. */
    static final int MR = WIDE ? 4 : 6;
    /** Columns of the tile: four vectors, or two. */
    static final int NR = (WIDE ? 4 : 2) * LANES;
    /** The start tile of a product that overwrites C (read with row stride 0). */
    static final float[] ZEROS = new float[NR];

    private GemmMicroKernels() {
    }

    /**
     * C[MR x NR] at {@code c[co]} (rows {@code ldc} apart) += A . B. A(i, p) is
     * {@code a[ao + i * rowStride + p * columnStride]}; step p of B is the NR values from
     * {@code b[bo + p * NR]}.
     */
    static void tile(int kc, float[] a, int ao, int rowStride, int columnStride, float[] b, int bo, float[] c, int co, int ldc) {
        tile(kc, a, ao, rowStride, columnStride, b, bo, c, co, ldc, c, co, ldc);
    }

    /**
     * C[MR x NR] at {@code c[co]} = S + A . B, where S(i, j) is {@code start[so + i * sld + j]}:
     * C itself to accumulate, or {@link #ZEROS} with {@code sld} 0 to overwrite C without reading
     * it. Overwriting saves zeroing C beforehand and, more, the cache misses of loading a C tile
     * that is not in cache (C of {@code g.t() @ x} for a [128, 512] g and a [128, 784] x is
     * 1.6 MB, each tile visited once).
     */
    static void tile(int kc, float[] a, int ao, int rowStride, int columnStride, float[] b, int bo, float[] c, int co, int ldc,
                     float[] start, int so, int sld) {
        if (!WIDE) {
            tile6x2(kc, a, ao, rowStride, columnStride, b, bo, c, co, ldc, start, so, sld);
        } else if (columnStride == 1) {
            tile4x4Rows(kc, a, ao, rowStride, b, bo, c, co, ldc, start, so, sld);
        } else {
            // VectorGemm passes rows (column stride 1) or a transposed A (row stride 1)
            tile4x4Columns(kc, a, ao, columnStride, b, bo, c, co, ldc, start, so, sld);
        }
    }

    /**
     * C[MR x LANES] at {@code c[co]} += A . B for one vector's width of columns, step p of B at
     * {@code b[bo + p * NR]}: the last panel of a C whose width is not a multiple of NR (784 =
     * 12 x 64 + 16), which the full tile would compute four times over, three of them on zero
     * padding. A at any strides: only edge panels come here.
     */
    static void narrowTile(int kc, float[] a, int ao, int rowStride, int columnStride, float[] b, int bo, float[] c, int co, int ldc) {
        if (!WIDE) {
            // two vectors wide: the full tile wastes at most one of them
            tile(kc, a, ao, rowStride, columnStride, b, bo, c, co, ldc);
            return;
        }
        FloatVector c0 = FloatVector.fromArray(SPECIES, c, co);
        FloatVector c1 = FloatVector.fromArray(SPECIES, c, co + ldc);
        FloatVector c2 = FloatVector.fromArray(SPECIES, c, co + 2 * ldc);
        FloatVector c3 = FloatVector.fromArray(SPECIES, c, co + 3 * ldc);
        for (int p = 0, ap = ao; p < kc; p++, ap += columnStride) {
            FloatVector bp = FloatVector.fromArray(SPECIES, b, bo + p * NR);
            c0 = FloatVector.broadcast(SPECIES, a[ap]).fma(bp, c0);
            c1 = FloatVector.broadcast(SPECIES, a[ap + rowStride]).fma(bp, c1);
            c2 = FloatVector.broadcast(SPECIES, a[ap + 2 * rowStride]).fma(bp, c2);
            c3 = FloatVector.broadcast(SPECIES, a[ap + 3 * rowStride]).fma(bp, c3);
        }
        c0.intoArray(c, co);
        c1.intoArray(c, co + ldc);
        c2.intoArray(c, co + 2 * ldc);
        c3.intoArray(c, co + 3 * ldc);
    }

    /** 4 rows x 4 vectors, A's rows contiguous ({@code lda} apart): sixteen accumulators. */
    private static void tile4x4Rows(int kc, float[] a, int ao, int lda, float[] b, int bo, float[] c, int co, int ldc,
                                     float[] start, int so, int sld) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, start, so);
        FloatVector c01 = FloatVector.fromArray(SPECIES, start, so + LANES);
        FloatVector c02 = FloatVector.fromArray(SPECIES, start, so + 2 * LANES);
        FloatVector c03 = FloatVector.fromArray(SPECIES, start, so + 3 * LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, start, so + sld);
        FloatVector c11 = FloatVector.fromArray(SPECIES, start, so + sld + LANES);
        FloatVector c12 = FloatVector.fromArray(SPECIES, start, so + sld + 2 * LANES);
        FloatVector c13 = FloatVector.fromArray(SPECIES, start, so + sld + 3 * LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, start, so + 2 * sld);
        FloatVector c21 = FloatVector.fromArray(SPECIES, start, so + 2 * sld + LANES);
        FloatVector c22 = FloatVector.fromArray(SPECIES, start, so + 2 * sld + 2 * LANES);
        FloatVector c23 = FloatVector.fromArray(SPECIES, start, so + 2 * sld + 3 * LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, start, so + 3 * sld);
        FloatVector c31 = FloatVector.fromArray(SPECIES, start, so + 3 * sld + LANES);
        FloatVector c32 = FloatVector.fromArray(SPECIES, start, so + 3 * sld + 2 * LANES);
        FloatVector c33 = FloatVector.fromArray(SPECIES, start, so + 3 * sld + 3 * LANES);
        int a0 = ao;
        int a1 = ao + lda;
        int a2 = ao + 2 * lda;
        int a3 = ao + 3 * lda;
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + p]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SPECIES, a[a1 + p]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SPECIES, a[a2 + p]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SPECIES, a[a3 + p]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + LANES);
        c02.intoArray(c, co + 2 * LANES);
        c03.intoArray(c, co + 3 * LANES);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + LANES);
        c12.intoArray(c, co + ldc + 2 * LANES);
        c13.intoArray(c, co + ldc + 3 * LANES);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + LANES);
        c22.intoArray(c, co + 2 * ldc + 2 * LANES);
        c23.intoArray(c, co + 2 * ldc + 3 * LANES);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + LANES);
        c32.intoArray(c, co + 3 * ldc + 2 * LANES);
        c33.intoArray(c, co + 3 * ldc + 3 * LANES);
    }

    /** 4 rows x 4 vectors, A stored by columns (rows adjacent, columns {@code lda} apart): the depth steps {@code lda}. */
    private static void tile4x4Columns(int kc, float[] a, int ao, int lda, float[] b, int bo, float[] c, int co, int ldc,
                                     float[] start, int so, int sld) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, start, so);
        FloatVector c01 = FloatVector.fromArray(SPECIES, start, so + LANES);
        FloatVector c02 = FloatVector.fromArray(SPECIES, start, so + 2 * LANES);
        FloatVector c03 = FloatVector.fromArray(SPECIES, start, so + 3 * LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, start, so + sld);
        FloatVector c11 = FloatVector.fromArray(SPECIES, start, so + sld + LANES);
        FloatVector c12 = FloatVector.fromArray(SPECIES, start, so + sld + 2 * LANES);
        FloatVector c13 = FloatVector.fromArray(SPECIES, start, so + sld + 3 * LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, start, so + 2 * sld);
        FloatVector c21 = FloatVector.fromArray(SPECIES, start, so + 2 * sld + LANES);
        FloatVector c22 = FloatVector.fromArray(SPECIES, start, so + 2 * sld + 2 * LANES);
        FloatVector c23 = FloatVector.fromArray(SPECIES, start, so + 2 * sld + 3 * LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, start, so + 3 * sld);
        FloatVector c31 = FloatVector.fromArray(SPECIES, start, so + 3 * sld + LANES);
        FloatVector c32 = FloatVector.fromArray(SPECIES, start, so + 3 * sld + 2 * LANES);
        FloatVector c33 = FloatVector.fromArray(SPECIES, start, so + 3 * sld + 3 * LANES);
        for (int p = 0, ap = ao; p < kc; p++, ap += lda) {
            int bp = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bp + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bp + 3 * LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + LANES);
        c02.intoArray(c, co + 2 * LANES);
        c03.intoArray(c, co + 3 * LANES);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + LANES);
        c12.intoArray(c, co + ldc + 2 * LANES);
        c13.intoArray(c, co + ldc + 3 * LANES);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + LANES);
        c22.intoArray(c, co + 2 * ldc + 2 * LANES);
        c23.intoArray(c, co + 2 * ldc + 3 * LANES);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + LANES);
        c32.intoArray(c, co + 3 * ldc + 2 * LANES);
        c33.intoArray(c, co + 3 * ldc + 3 * LANES);
    }

    /** 6 rows x 2 vectors, A at any strides: twelve accumulators. */
    private static void tile6x2(int kc, float[] a, int ao, int rowStride, int columnStride, float[] b, int bo, float[] c, int co, int ldc,
                                     float[] start, int so, int sld) {
        FloatVector c00 = FloatVector.fromArray(SPECIES, start, so);
        FloatVector c01 = FloatVector.fromArray(SPECIES, start, so + LANES);
        FloatVector c10 = FloatVector.fromArray(SPECIES, start, so + sld);
        FloatVector c11 = FloatVector.fromArray(SPECIES, start, so + sld + LANES);
        FloatVector c20 = FloatVector.fromArray(SPECIES, start, so + 2 * sld);
        FloatVector c21 = FloatVector.fromArray(SPECIES, start, so + 2 * sld + LANES);
        FloatVector c30 = FloatVector.fromArray(SPECIES, start, so + 3 * sld);
        FloatVector c31 = FloatVector.fromArray(SPECIES, start, so + 3 * sld + LANES);
        FloatVector c40 = FloatVector.fromArray(SPECIES, start, so + 4 * sld);
        FloatVector c41 = FloatVector.fromArray(SPECIES, start, so + 4 * sld + LANES);
        FloatVector c50 = FloatVector.fromArray(SPECIES, start, so + 5 * sld);
        FloatVector c51 = FloatVector.fromArray(SPECIES, start, so + 5 * sld + LANES);
        int row1 = rowStride;
        int row2 = 2 * rowStride;
        int row3 = 3 * rowStride;
        int row4 = 4 * rowStride;
        int row5 = 5 * rowStride;
        for (int p = 0, ap = ao; p < kc; p++, ap += columnStride) {
            int bp = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ap + row1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ap + row2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ap + row3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ap + row4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ap + row5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + LANES);
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + LANES);
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + LANES);
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + LANES);
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + LANES);
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + LANES);
    }
}
