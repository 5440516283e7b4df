package dev.descent.core;

import dev.descent.core.Backend.MatrixOperand;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 matrix multiplication with explicit fused multiply-add micro-kernels written with the
 * Vector API ({@code jdk.incubator.vector}), in the layout of BLIS and GotoBLAS:
 * <pre>
 *   for each block of kc rows of B (the depth):
 *     pack B[depth block, this task's columns] into column panels NR wide        (L1 per panel)
 *     for each block of mc rows of A (read in place when its rows are contiguous):
 *       for each B panel, for each MR rows of A:  C[MR x NR] += A[MR x kc] . B panel
 * </pre>
 * The micro-kernel ({@link GemmMicroKernels}) keeps an MR x NR tile of C in vector registers
 * (4 x 64 with AVX-512) and per step of the depth loads NR values of B, broadcasts one element of
 * each of the MR rows of A and issues the FMAs of an outer product. It reads A where
 * it lies, row-major (a layer's input or output gradient) or transposed (the output gradient in
 * {@code g.t() @ x}); only the last rows of a block, when fewer than MR remain, are copied out.
 * B is always packed. A B contiguous along the depth (the weight of {@code x @ W.t()}) is
 * transposed while packing with vector gathers, sixteen elements a step, because
 * element-by-element transposition cost as much as the products.
 * Depth and row blocks are cut into equal parts (784 = 4 x 196, not 3 x 256 + 16) so no block
 * is a sliver. A single matrix with enough rows is shared out by rows: the threads pack all of
 * B together, then each multiplies its rows (threads on different columns of C would share a
 * cache line at the boundary in every row). Batches, and matrices of few rows, go by matrices
 * and columns, each task packing its own panels.
 *
 * <p>Loaded only when the JVM runs with {@code --add-modules jdk.incubator.vector}
 * ({@link CpuGemm} checks); otherwise {@link CpuGemm}'s plain-Java kernel runs.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> SPECIES = GemmMicroKernels.SPECIES;
    private static final int LANES = GemmMicroKernels.LANES;
    static final int MR = GemmMicroKernels.MR;
    static final int NR = GemmMicroKernels.NR;
    /** Largest depth block: C's tile is loaded and stored once per block, so deep blocks amortize it; B panels stream from L2. */
    static final int KC = 256;
    /** Largest row block: an A block of MC x KC floats stays in L2 while every B panel passes over it. */
    static final int MC = 240;

    /** Per thread: packed B, the last short panel of A's rows, an edge tile of C, gather offsets. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] packedB = new float[0];
        float[] sharedB = new float[0];
        float[] lastRows = new float[0];
        final float[] edge = new float[MR * NR];
        final int[] gatherOffsets = new int[LANES];
        int gatherStride = -1;

        float[] packedB(int size) {
            packedB = atLeast(packedB, size);
            return packedB;
        }

        /** All of B, packed by the caller's team for every thread of it ({@link #rowsOverSharedPanels}). */
        float[] sharedB(int size) {
            sharedB = atLeast(sharedB, size);
            return sharedB;
        }

        float[] lastRows(int size) {
            lastRows = atLeast(lastRows, size);
            return lastRows;
        }

        private static float[] atLeast(float[] buffer, int size) {
            return buffer.length < size ? new float[size] : buffer;
        }

        /** Offsets 0, stride, 2 stride, ... for a gather of LANES elements {@code stride} apart. */
        int[] gatherOffsets(int stride) {
            if (gatherStride != stride) {
                for (int lane = 0; lane < LANES; lane++) {
                    gatherOffsets[lane] = lane * stride;
                }
                gatherStride = stride;
            }
            return gatherOffsets;
        }
    }

    private VectorGemm() {
    }

    static void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        int threads = Parallel.threads();
        int columnPanels = (n + NR - 1) / NR;
        int rowPanels = (m + MR - 1) / MR;
        if (batch == 1 && threads > 1 && rowPanels >= 2 * threads && k > 0) {
            rowsOverSharedPanels(threads, m, n, k, new Operands(0, a, b, c), accumulate);
            return;
        }
        int byColumns = batch >= threads ? 1 : Math.min(columnPanels, threads);
        int rowChunks = batch * byColumns >= threads ? 1 : Math.min(rowPanels, (threads + byColumns - 1) / byColumns);
        int tasks = batch * byColumns * rowChunks;
        Parallel.forRange(tasks, 1, (start, end) -> {
            for (int task = start; task < end; task++) {
                int matrix = task / (byColumns * rowChunks);
                int rest = task % (byColumns * rowChunks);
                int columnChunk = rest / rowChunks;
                int rowChunk = rest % rowChunks;
                int j0 = Math.min(n, panelsBefore(columnChunk, columnPanels, byColumns) * NR);
                int j1 = Math.min(n, panelsBefore(columnChunk + 1, columnPanels, byColumns) * NR);
                int i0 = Math.min(m, panelsBefore(rowChunk, rowPanels, rowChunks) * MR);
                int i1 = Math.min(m, panelsBefore(rowChunk + 1, rowPanels, rowChunks) * MR);
                if (j0 < j1 && i0 < i1) {
                    block(new Operands(matrix, a, b, c), i0, i1, j0, j1, k, accumulate);
                }
            }
        });
    }

    /**
     * One matrix with enough rows for every thread: the threads first pack all of B together
     * (each a share of the panels of every depth block, into one buffer), then each multiplies
     * its rows by all of it. Splitting C's rows rather than its columns keeps the threads off
     * each other's cache lines: a column boundary inside a 64-byte line of every row of C cost
     * 6-10% of {@code x @ W.t()} at [128, 784] x [784, 512] in line transfers between the cores.
     */
    private static void rowsOverSharedPanels(int threads, int m, int n, int k, Operands operands, boolean accumulate) {
        int kcMax = blockSize(k, KC, 1);
        int depthBlocks = (k + kcMax - 1) / kcMax;
        int columnPanels = (n + NR - 1) / NR;
        int blockSize = columnPanels * NR * kcMax;
        float[] packed = SCRATCH.get().sharedB(depthBlocks * blockSize);
        Parallel.forRange(depthBlocks * columnPanels, 1, (start, end) -> {
            for (int task = start; task < end; task++) {
                int depthBlock = task / columnPanels;
                int p0 = depthBlock * kcMax;
                int panel = task % columnPanels;
                packB(operands, p0, Math.min(kcMax, k - p0), 0, n, panel, panel + 1, packed, depthBlock * blockSize);
            }
        });
        int rowPanels = (m + MR - 1) / MR;
        Parallel.forRange(threads, 1, (start, end) -> {
            for (int chunk = start; chunk < end; chunk++) {
                int i0 = Math.min(m, panelsBefore(chunk, rowPanels, threads) * MR);
                int i1 = Math.min(m, panelsBefore(chunk + 1, rowPanels, threads) * MR);
                for (int depthBlock = 0; depthBlock < depthBlocks && i0 < i1; depthBlock++) {
                    int p0 = depthBlock * kcMax;
                    multiply(operands, p0, Math.min(kcMax, k - p0), i0, i1, 0, n, packed, depthBlock * blockSize,
                            !accumulate && depthBlock == 0);
                }
            }
        });
    }

    /** How many of {@code panels} the first {@code chunk} of {@code chunks} even shares cover. */
    private static int panelsBefore(int chunk, int panels, int chunks) {
        return (int) ((long) panels * chunk / chunks);
    }

    /** The size of the equal blocks, at most {@code limit} and a multiple of {@code multiple}, that cover {@code total}. */
    static int blockSize(int total, int limit, int multiple) {
        int blocks = (total + limit - 1) / limit;
        int size = (total + blocks - 1) / blocks;
        return Math.min(limit, (size + multiple - 1) / multiple * multiple);
    }

    /** One matrix of the batch: its arrays, where its A, B and C start, and their strides. */
    private record Operands(float[] a, int aBase, int aRowStride, int aColumnStride, float[] b, int bBase, int bRow, int bColumn,
                            float[] c, int cBase, int ldc) {
        Operands(int matrix, MatrixOperand a, MatrixOperand b, MatrixOperand c) {
            this(((CpuStorage) a.storage()).floats, a.offset() + matrix * a.batchStride(),
                    a.transposed() ? 1 : a.leadingDimension(), a.transposed() ? a.leadingDimension() : 1,
                    ((CpuStorage) b.storage()).floats, b.offset() + matrix * b.batchStride(),
                    b.transposed() ? 1 : b.leadingDimension(), b.transposed() ? b.leadingDimension() : 1,
                    ((CpuStorage) c.storage()).floats, c.offset() + matrix * c.batchStride(), c.leadingDimension());
        }
    }

    /** C[i0:i1, j0:j1] of one matrix, by one thread that packs its own panels of B. */
    private static void block(Operands o, int i0, int i1, int j0, int j1, int k, boolean accumulate) {
        if (k == 0) {
            if (!accumulate) {
                for (int i = i0; i < i1; i++) {
                    java.util.Arrays.fill(o.c, o.cBase + i * o.ldc + j0, o.cBase + i * o.ldc + j1, 0f);
                }
            }
            return;
        }
        int panels = (j1 - j0 + NR - 1) / NR;
        int kcMax = blockSize(k, KC, 1);
        float[] packedB = SCRATCH.get().packedB(panels * NR * kcMax);
        for (int p0 = 0; p0 < k; p0 += kcMax) {
            int kc = Math.min(kcMax, k - p0);
            packB(o, p0, kc, j0, j1, 0, panels, packedB, 0);
            multiply(o, p0, kc, i0, i1, j0, j1, packedB, 0, !accumulate && p0 == 0);
        }
    }

    /**
     * C[i0:i1, j0:j1] (+)= A[i0:i1, p0:p0+kc] . B[p0:p0+kc, j0:j1], B packed from column j0 at
     * {@code packedB[bo]}; {@code overwrite}: the product replaces C instead of adding to it.
     */
    private static void multiply(Operands o, int p0, int kc, int i0, int i1, int j0, int j1, float[] packedB, int bo,
                                 boolean overwrite) {
        Scratch scratch = SCRATCH.get();
        float[] lastRows = scratch.lastRows(MR * kc);
        float[] edge = scratch.edge;
        int width = j1 - j0;
        int panels = (width + NR - 1) / NR;
        int mcMax = blockSize(i1 - i0, MC, MR);
        for (int ic = i0; ic < i1; ic += mcMax) {
            int mc = Math.min(mcMax, i1 - ic);
            int fullPanels = mc / MR;
            int aBlock = o.aBase + ic * o.aRowStride + p0 * o.aColumnStride;
            if (fullPanels * MR < mc) {
                // fewer than MR rows left: reading MR in place would run past A
                packRows(o.a, aBlock + fullPanels * MR * o.aRowStride, o.aRowStride, o.aColumnStride, mc - fullPanels * MR, kc, lastRows);
            }
            for (int q = 0; q < panels; q++) {
                int nr = Math.min(NR, width - q * NR);
                int panel = bo + q * NR * kc;
                for (int r = 0; r * MR < mc; r++) {
                    int mr = Math.min(MR, mc - r * MR);
                    boolean inPlace = r < fullPanels;
                    float[] aArray = inPlace ? o.a : lastRows;
                    int aOffset = inPlace ? aBlock + r * MR * o.aRowStride : 0;
                    int rowStride = inPlace ? o.aRowStride : kc;
                    int columnStride = inPlace ? o.aColumnStride : 1;
                    int cOffset = o.cBase + (ic + r * MR) * o.ldc + j0 + q * NR;
                    if (mr == MR && nr == NR) {
                        // an overwrite starts from a zero tile in L1: no zeroing pass over C, no loads of it
                        GemmMicroKernels.tile(kc, aArray, aOffset, rowStride, columnStride, packedB, panel, o.c, cOffset, o.ldc,
                                overwrite ? GemmMicroKernels.ZEROS : o.c, overwrite ? 0 : cOffset, overwrite ? 0 : o.ldc);
                    } else {
                        java.util.Arrays.fill(edge, 0f);
                        GemmMicroKernels.tile(kc, aArray, aOffset, rowStride, columnStride, packedB, panel, edge, 0, NR);
                        for (int ii = 0; ii < mr; ii++) {
                            for (int jj = 0; jj < nr; jj++) {
                                int at = cOffset + ii * o.ldc + jj;
                                o.c[at] = (overwrite ? 0f : o.c[at]) + edge[ii * NR + jj];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Panels q0..q1 of B[p0 + p, j] for p &lt; kc and j0 &lt;= j &lt; j1, panel q covering NR columns
     * from j0 + q NR: kc rows of NR values (zero-padded) at {@code packed[out + q NR kc]}. A
     * row-major B is copied row by row; a B contiguous along the depth (row stride 1) is
     * transposed with gathers of LANES columns at a time. Panels are independent: threads may
     * pack different ones into one buffer.
     */
    private static void packB(Operands o, int p0, int kc, int j0, int j1, int q0, int q1, float[] packed, int out) {
        float[] bv = o.b;
        int base = o.bBase + p0 * o.bRow;
        int row = o.bRow;
        int column = o.bColumn;
        int[] offsets = column == 1 ? null : SCRATCH.get().gatherOffsets(column);
        for (int q = q0; q < q1; q++) {
            int to = out + q * NR * kc;
            int jStart = j0 + q * NR;
            int nr = Math.min(NR, j1 - jStart);
            if (column == 1) {
                for (int p = 0; p < kc; p++) {
                    int at = to + p * NR;
                    System.arraycopy(bv, base + p * row + jStart, packed, at, nr);
                    for (int j = nr; j < NR; j++) {
                        packed[at + j] = 0f;
                    }
                }
            } else if (nr == NR) {
                for (int lane0 = 0; lane0 < NR; lane0 += LANES) {
                    int from = base + (jStart + lane0) * column;
                    for (int p = 0; p < kc; p++) {
                        FloatVector.fromArray(SPECIES, bv, from + p, offsets, 0).intoArray(packed, to + p * NR + lane0);
                    }
                }
            } else {
                for (int j = 0; j < NR; j++) {
                    int from = base + (jStart + j) * column;
                    for (int p = 0; p < kc; p++) {
                        packed[to + p * NR + j] = j < nr ? bv[from + p] : 0f;
                    }
                }
            }
        }
    }

    /**
     * The last {@code rows} (&lt; MR) rows of a block of A, element (i, p) at {@code from + i *
     * rowStride + p * columnStride}, as rows of kc contiguous values, zero-padded to MR rows.
     */
    private static void packRows(float[] av, int from, int rowStride, int columnStride, int rows, int kc, float[] packed) {
        for (int i = 0; i < rows; i++) {
            for (int p = 0; p < kc; p++) {
                packed[i * kc + p] = av[from + i * rowStride + p * columnStride];
            }
        }
        java.util.Arrays.fill(packed, rows * kc, MR * kc, 0f);
    }
}
