package dev.descent.core.cpu;

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
 The micro-kernel ({@link GemmMicroKernels}) keeps an MR x NR tile of C in vector registers
 * (4 x 64 with AVX-512) and per step of the depth loads NR values of B, broadcasts one element of
 * each of the MR rows of A and issues the FMAs of an outer product. It reads A where
 * it lies, row-major (a layer's input or output gradient) or transposed (the output gradient in
 * {@code g.t() @ x}); only the last rows of a block, when fewer than MR remain, are copied out.
 * B is always packed. A B contiguous along the depth is transposed while packing, with vector
 * gathers of sixteen elements (element by element cost as much as the products); gathers are
 * still slow (about 26 cycles each on Zen 4), so when B is the larger operand (the weight of
 * {@code x @ W.t()}) the product is computed transposed, {@code C^T = B^T A^T}: B^T is read in
 * place and only the smaller A is transposed ({@link #transposedProductPays}). The same swap
 * serves a B too large for L2 (the weight of {@code g @ W}), whose packing copy otherwise waits
 * on L3 with nothing to overlap it.
 * Depth and row blocks are cut into equal parts (784 = 4 x 196, not 3 x 256 + 16) so no block
 * is a sliver. Tasks split C's columns over the threads, or its rows when the column panels
 * do not share out evenly or leave threads idle; each task packs its own panels.
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
    /** Deepest product computed with a transposed C, whose tiles take the whole depth in one block. */
    static final int KC_WHOLE = 1024;
    /** Elements of a B too large for a core's L2 (1 MB of float32 on Zen 4, 1-2 MB on recent Xeons). */
    static final long LARGE_B = 1 << 18;

    /** Per thread: packed B, the last short panel of A's rows, an edge tile of C, gather offsets. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        float[] packedB = new float[0];
        float[] lastRows = new float[0];
        final float[] edge = new float[MR * NR];
        final int[] gatherOffsets = new int[LANES];
        int gatherStride = -1;

        float[] packedB(int size) {
            packedB = atLeast(packedB, size);
            return packedB;
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
        if (GemmDotKernels.pays(m, n, k, a, b)) {
            GemmDotKernels.gemm(batch, m, n, k, a, b, c, accumulate);
        } else if (transposedProductPays(m, n, k, a, b)) {
            // C^T = B^T A^T: B^T's rows are contiguous, so it is read in place, and the operand
            // transposed while packing is A, the smaller one
            split(batch, n, m, k, transpose(b), transpose(a), transpose(c), accumulate);
        } else {
            split(batch, m, n, k, a, b, c, accumulate);
        }
    }

    /**
     * Whether to compute {@code C^T = B^T A^T} instead of {@code C = A B}, so that B is read in
     * place (as the swapped product's left operand) and A is the one packed. Packing B costs most
     * when it is a transposition (B contiguous along the depth, the weight in {@code x @ W.t()}:
     * gathers, 18% of the time of a [128, 784] x times a [512, 784] W on one thread) or when B is
     * larger than a core's L2 cache (the weight in {@code g @ W}: the copy waits on L3, 9% of
     * that product's time, where reading B in place overlaps those reads with the products). Swapped, the price is packing
     * A (a transposition unless A is stored transposed) and one transposed store of every
     * element of C; so only when {@code mk + mn < kn}, when C's rows (the swapped product's
     * columns) fill whole NR panels, and when the depth fits one block (a transposed C is written
     * once, never read back between depth blocks).
     */
    static boolean transposedProductPays(int m, int n, int k, MatrixOperand a, MatrixOperand b) {
        long bElements = (long) k * n;
        boolean packingBIsCostly = b.transposed() || bElements > LARGE_B;
        return packingBIsCostly && k > 0 && k <= KC_WHOLE && m % NR == 0 && (long) m * k + (long) m * n < bElements;
    }

    private static MatrixOperand transpose(MatrixOperand x) {
        return new MatrixOperand(x.storage(), x.offset(), x.leadingDimension(), x.batchStride(), !x.transposed());
    }

    private static void split(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        int threads = Parallel.threads();
        int columnPanels = (n + NR - 1) / NR;
        int rowPanels = (m + MR - 1) / MR;
        int byColumns = batch >= threads ? 1 : Math.min(columnPanels, threads);
        // columns that do not share out evenly (784 = 13 panels: 7 against 6) leave a thread idle
        // for a panel's time; rows of panels are many and share out evenly, at the price of every
        // thread packing all of B's depth block, a copy small beside the products
        boolean uneven = byColumns > 1 && columnPanels % byColumns != 0 && rowPanels >= 4 * threads;
        int columnChunks = uneven ? 1 : byColumns;
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

    /** The size of the equal blocks, at most {@code limit} and a multiple of {@code multiple}, that cover {@code total}. */
    static int blockSize(int total, int limit, int multiple) {
        int blocks = (total + limit - 1) / limit;
        int size = (total + blocks - 1) / blocks;
        return Math.min(limit, (size + multiple - 1) / multiple * multiple);
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
        boolean transposedC = c.transposed();
        int lda = a.leadingDimension();
        int aRowStride = a.transposed() ? 1 : lda;
        int aColumnStride = a.transposed() ? lda : 1;
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
        Scratch scratch = SCRATCH.get();
        int width = j1 - j0;
        int panels = (width + NR - 1) / NR;
        int kcMax = transposedC ? k : blockSize(k, KC, 1);
        int mcMax = blockSize(i1 - i0, MC, MR);
        float[] packedB = scratch.packedB(panels * NR * kcMax);
        float[] lastRows = scratch.lastRows(MR * kcMax);
        float[] edge = scratch.edge;
        for (int p0 = 0; p0 < k; p0 += kcMax) {
            int kc = Math.min(kcMax, k - p0);
            packB(bv, bBase + p0 * bRow, bRow, bColumn, kc, j0, width, packedB, scratch);
            for (int ic = i0; ic < i1; ic += mcMax) {
                int mc = Math.min(mcMax, i1 - ic);
                int fullPanels = mc / MR;
                int aBlock = aBase + ic * aRowStride + p0 * aColumnStride;
                if (fullPanels * MR < mc) {
                    // fewer than MR rows left: reading MR in place would run past A
                    packRows(av, aBlock + fullPanels * MR * aRowStride, aRowStride, aColumnStride, mc - fullPanels * MR, kc, lastRows);
                }
                for (int q = 0; q < panels; q++) {
                    int nr = Math.min(NR, width - q * NR);
                    for (int r = 0; r * MR < mc; r++) {
                        int mr = Math.min(MR, mc - r * MR);
                        boolean inPlace = r < fullPanels;
                        float[] aArray = inPlace ? av : lastRows;
                        int aOffset = inPlace ? aBlock + r * MR * aRowStride : 0;
                        int rowStride = inPlace ? aRowStride : kc;
                        int columnStride = inPlace ? aColumnStride : 1;
                        // the first depth block of a product that overwrites C starts from zeros, not from C
                        boolean overwrite = !accumulate && p0 == 0;
                        if (transposedC) {
                            GemmMicroKernels.tile(kc, aArray, aOffset, rowStride, columnStride, packedB, q * NR * kc, edge, 0, NR,
                                    GemmMicroKernels.ZEROS, 0, 0);
                            // C^T's tile (i, j) is C's element (j, i)
                            addTile(edge, mr, nr, cv, cBase + (j0 + q * NR) * ldc + ic + r * MR, 1, ldc, overwrite);
                            continue;
                        }
                        int cOffset = cBase + (ic + r * MR) * ldc + j0 + q * NR;
                        if (mr == MR && nr == NR) {
                            GemmMicroKernels.tile(kc, aArray, aOffset, rowStride, columnStride, packedB, q * NR * kc, cv, cOffset, ldc,
                                    overwrite ? GemmMicroKernels.ZEROS : cv, overwrite ? 0 : cOffset, overwrite ? 0 : ldc);
                        } else {
                            java.util.Arrays.fill(edge, 0f);
                            if (nr == NR) {
                                GemmMicroKernels.tile(kc, aArray, aOffset, rowStride, columnStride, packedB, q * NR * kc, edge, 0, NR);
                            } else {
                                for (int v = 0; v < nr; v += LANES) {
                                    GemmMicroKernels.narrowTile(kc, aArray, aOffset, rowStride, columnStride, packedB, q * NR * kc + v, edge, v, NR);
                                }
                            }
                            addTile(edge, mr, nr, cv, cOffset, ldc, 1, overwrite);
                        }
                    }
                }
            }
        }
    }

    /**
     * Adds (or, overwriting, writes) the first {@code mr x nr} elements of an MR x NR tile to C:
     * element (i, j) goes to {@code c[co + i * rowStep + j * columnStep]}. Column by column of the
     * tile, so a transposed C (row step 1) gets MR adjacent values per row.
     */
    private static void addTile(float[] tile, int mr, int nr, float[] c, int co, int rowStep, int columnStep, boolean overwrite) {
        for (int j = 0; j < nr; j++) {
            int column = co + j * columnStep;
            for (int i = 0; i < mr; i++) {
                int at = column + i * rowStep;
                c[at] = (overwrite ? 0f : c[at]) + tile[i * NR + j];
            }
        }
    }

    /**
     * B[p, j0 + j] for p &lt; kc, j &lt; width, as panels of NR columns: panel q holds kc rows of NR
     * values (zero-padded). A row-major B is copied row by row; a B contiguous along the depth
     * (row == 1) is transposed with gathers of LANES columns at a time.
     */
    private static void packB(float[] bv, int base, int row, int column, int kc, int j0, int width, float[] packed, Scratch scratch) {
        int panels = (width + NR - 1) / NR;
        int[] offsets = column == 1 ? null : scratch.gatherOffsets(column);
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
            } else if (nr == NR) {
                for (int lane0 = 0; lane0 < NR; lane0 += LANES) {
                    int from = base + (j0 + jStart + lane0) * column;
                    for (int p = 0; p < kc; p++) {
                        FloatVector.fromArray(SPECIES, bv, from + p, offsets, 0).intoArray(packed, out + p * NR + lane0);
                    }
                }
            } else {
                for (int j = 0; j < NR; j++) {
                    int from = base + (j0 + jStart + j) * column;
                    for (int p = 0; p < kc; p++) {
                        packed[out + p * NR + j] = j < nr ? bv[from + p] : 0f;
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
