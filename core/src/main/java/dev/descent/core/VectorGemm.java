package dev.descent.core;

import dev.descent.core.Backend.MatrixOperand;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 matrix multiplication with explicit fused multiply-add micro-kernels written with the
 * Vector API ({@code jdk.incubator.vector}), in the layout of BLIS and GotoBLAS:
 * <pre>
 *   for each block of KC rows of B (the depth):
 *     pack B[depth block, this task's columns] into column panels NR wide        (stays in L2)
 *     for each block of MC rows of A:
 *       pack A[row block, depth block] into row panels MR high                   (stays in L2)
 *       for each B panel (L1), for each A panel:  C[MR x NR] += A panel . B panel
 * </pre>
 * The micro-kernel keeps an MR x NR tile of C in 2 MR vector registers (MR = 6 rows, NR = two
 * vectors: 32 floats with AVX-512) and per step of the depth loads two vectors of B, broadcasts
 * one element of A per row and issues 2 MR FMAs. Packing copies both operands into the order the
 * kernel reads them, so transposed operands cost only the packing. Tasks split C's columns (and,
 * when that leaves threads idle, its rows) over the thread pool; each packs its own panels.
 *
 * <p>Loaded only when the JVM runs with {@code --add-modules jdk.incubator.vector}
 * ({@link CpuGemm} checks); otherwise {@link CpuGemm}'s plain-Java kernel runs.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    static final int MR = 6;
    static final int NR = 2 * LANES;
    static final int KC = 256;
    static final int MC = 20 * MR;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[][] {new float[MC * KC], new float[0],
        new float[MR * NR]});

    private VectorGemm() {
    }

    static void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        int threads = Parallel.threads();
        int columnPanels = (n + NR - 1) / NR;
        int columnChunks = batch >= threads ? 1 : Math.min(columnPanels, threads);
        int rowPanels = (m + MR - 1) / MR;
        int rowChunks = batch * columnChunks >= threads ? 1 : Math.min(rowPanels, (threads + columnChunks - 1) / columnChunks);
        int tasks = batch * columnChunks * rowChunks;
        Parallel.forRange(tasks, 1, (start, end) -> {
            for (int task = start; task < end; task++) {
                int matrix = task / (columnChunks * rowChunks);
                int rest = task % (columnChunks * rowChunks);
                int columnChunk = rest / rowChunks;
                int rowChunk = rest % rowChunks;
                int j0 = Math.min(n, panelsBefore(columnChunk, columnPanels, columnChunks) * NR);
                int j1 = Math.min(n, panelsBefore(columnChunk + 1, columnPanels, columnChunks) * NR);
                int i0 = Math.min(m, panelsBefore(rowChunk, rowPanels, rowChunks) * MR);
                int i1 = Math.min(m, panelsBefore(rowChunk + 1, rowPanels, rowChunks) * MR);
                if (j0 < j1 && i0 < i1) {
                    block(matrix, i0, i1, j0, j1, k, a, b, c, accumulate);
                }
            }
        });
    }

    /** How many of {@code panels} the first {@code chunk} of {@code chunks} even shares cover. */
    private static int panelsBefore(int chunk, int panels, int chunks) {
        return (int) ((long) panels * chunk / chunks);
    }

    /** C[i0:i1, j0:j1] of one matrix of the batch. */
    private static void block(int matrix, int i0, int i1, int j0, int j1, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c,
                              boolean accumulate) {
        float[] av = ((CpuStorage) a.storage()).floats;
        float[] bv = ((CpuStorage) b.storage()).floats;
        float[] cv = ((CpuStorage) c.storage()).floats;
        int aBase = a.offset() + matrix * a.batchStride();
        int bBase = b.offset() + matrix * b.batchStride();
        int cBase = c.offset() + matrix * c.batchStride();
        int ldc = c.leadingDimension();
        int aRow = a.transposed() ? 1 : a.leadingDimension();
        int aColumn = a.transposed() ? a.leadingDimension() : 1;
        int bRow = b.transposed() ? 1 : b.leadingDimension();
        int bColumn = b.transposed() ? b.leadingDimension() : 1;
        if (k == 0) {
            if (!accumulate) {
                for (int i = i0; i < i1; i++) {
                    java.util.Arrays.fill(cv, cBase + i * ldc + j0, cBase + i * ldc + j1, 0f);
                }
            }
            return;
        }
        float[][] buffers = BUFFERS.get();
        float[] packedA = buffers[0];
        int width = j1 - j0;
        int panels = (width + NR - 1) / NR;
        if (buffers[1].length < panels * NR * KC) {
            buffers[1] = new float[panels * NR * KC];
        }
        float[] packedB = buffers[1];
        float[] edge = buffers[2];
        for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            boolean first = p0 == 0 && !accumulate;
            packB(bv, bBase + p0 * bRow, bRow, bColumn, kc, j0, width, packedB);
            for (int ic = i0; ic < i1; ic += MC) {
                int mc = Math.min(MC, i1 - ic);
                packA(av, aBase + ic * aRow + p0 * aColumn, aRow, aColumn, mc, kc, packedA);
                for (int q = 0; q < panels; q++) {
                    int nr = Math.min(NR, width - q * NR);
                    for (int r = 0; r * MR < mc; r++) {
                        int mr = Math.min(MR, mc - r * MR);
                        int cOffset = cBase + (ic + r * MR) * ldc + j0 + q * NR;
                        if (mr == MR && nr == NR) {
                            kernel(kc, packedA, r * MR * kc, packedB, q * NR * kc, cv, cOffset, ldc, first);
                        } else {
                            kernel(kc, packedA, r * MR * kc, packedB, q * NR * kc, edge, 0, NR, true);
                            for (int ii = 0; ii < mr; ii++) {
                                for (int jj = 0; jj < nr; jj++) {
                                    int at = cOffset + ii * ldc + jj;
                                    cv[at] = first ? edge[ii * NR + jj] : cv[at] + edge[ii * NR + jj];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * B[p, j0 + j] for p &lt; kc, j &lt; width, as panels of NR columns: panel q holds kc rows of NR
     * values (zero-padded). The loops follow whichever of B's dimensions is contiguous, so that the
     * reads stream and only the writes stride.
     */
    private static void packB(float[] bv, int base, int row, int column, int kc, int j0, int width, float[] packed) {
        int panels = (width + NR - 1) / NR;
        for (int q = 0; q < panels; q++) {
            int out = q * NR * kc;
            int jStart = q * NR;
            int nr = Math.min(NR, width - jStart);
            if (column == 1) {
                for (int p = 0; p < kc; p++) {
                    int to = out + p * NR;
                    System.arraycopy(bv, base + p * row + j0 + jStart, packed, to, nr);
                    for (int j = nr; j < NR; j++) {
                        packed[to + j] = 0f;
                    }
                }
            } else {
                // B transposed (row == 1): column j of B is contiguous along p.
                for (int j = 0; j < NR; j++) {
                    if (j < nr) {
                        int from = base + (j0 + jStart + j) * column;
                        for (int p = 0; p < kc; p++) {
                            packed[out + p * NR + j] = bv[from + p * row];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            packed[out + p * NR + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * A[i, p] for i &lt; mc, p &lt; kc, as panels of MR rows: panel r holds kc columns of MR values
     * (zero-padded), read along A's contiguous dimension.
     */
    private static void packA(float[] av, int base, int row, int column, int mc, int kc, float[] packed) {
        for (int r = 0; r * MR < mc; r++) {
            int out = r * MR * kc;
            int mr = Math.min(MR, mc - r * MR);
            if (column == 1 || mr < MR) {
                for (int ii = 0; ii < MR; ii++) {
                    if (ii < mr) {
                        int from = base + (r * MR + ii) * row;
                        for (int p = 0; p < kc; p++) {
                            packed[out + p * MR + ii] = av[from + p * column];
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            packed[out + p * MR + ii] = 0f;
                        }
                    }
                }
            } else {
                // A transposed (row == 1): the MR values of one column p are adjacent.
                int from = base + r * MR;
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(av, from + p * column, packed, out + p * MR, MR);
                }
            }
        }
    }

    /** C[6 x NR] (+)= A panel [6 x kc] . B panel [kc x NR], all twelve accumulators in registers. */
    private static void kernel(int kc, float[] a, int ao, float[] b, int bo, float[] c, int co, int ldc, boolean first) {
        FloatVector c00;
        FloatVector c01;
        FloatVector c10;
        FloatVector c11;
        FloatVector c20;
        FloatVector c21;
        FloatVector c30;
        FloatVector c31;
        FloatVector c40;
        FloatVector c41;
        FloatVector c50;
        FloatVector c51;
        if (first) {
            c00 = FloatVector.zero(SPECIES);
            c01 = c00;
            c10 = c00;
            c11 = c00;
            c20 = c00;
            c21 = c00;
            c30 = c00;
            c31 = c00;
            c40 = c00;
            c41 = c00;
            c50 = c00;
            c51 = c00;
        } else {
            c00 = FloatVector.fromArray(SPECIES, c, co);
            c01 = FloatVector.fromArray(SPECIES, c, co + LANES);
            c10 = FloatVector.fromArray(SPECIES, c, co + ldc);
            c11 = FloatVector.fromArray(SPECIES, c, co + ldc + LANES);
            c20 = FloatVector.fromArray(SPECIES, c, co + 2 * ldc);
            c21 = FloatVector.fromArray(SPECIES, c, co + 2 * ldc + LANES);
            c30 = FloatVector.fromArray(SPECIES, c, co + 3 * ldc);
            c31 = FloatVector.fromArray(SPECIES, c, co + 3 * ldc + LANES);
            c40 = FloatVector.fromArray(SPECIES, c, co + 4 * ldc);
            c41 = FloatVector.fromArray(SPECIES, c, co + 4 * ldc + LANES);
            c50 = FloatVector.fromArray(SPECIES, c, co + 5 * ldc);
            c51 = FloatVector.fromArray(SPECIES, c, co + 5 * ldc + LANES);
        }
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + LANES);
            int ap = ao + p * MR;
            FloatVector x = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[ap + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[ap + 5]);
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
