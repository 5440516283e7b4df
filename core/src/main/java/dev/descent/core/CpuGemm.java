package dev.descent.core;

import dev.descent.core.Backend.MatrixOperand;

/**
 * Matrix multiplication on the CPU: {@code C = A @ B (+ C)}, batched, with A and B read in place
 * whether stored plainly or transposed.
 *
 * <p>C is cut into tiles of {@code rowTile x COLUMN_TILE}; tiles are spread over the thread pool.
 * For each tile, a panel of B ({@code DEPTH_TILE x COLUMN_TILE}) is copied into a contiguous
 * buffer (so a transposed B costs nothing extra and the panel stays in cache), then four rows of C
 * at a time are updated as {@code C[i, :] += A[i, p] * panel[p, :]}: the inner loop runs over
 * contiguous memory, which the JIT compiles to SIMD multiply-adds, and each panel element loaded
 * serves four rows.
 */
final class CpuGemm {
    static final int DEPTH_TILE = 256;
    static final int COLUMN_TILE = 256;
    private static final int MAX_ROW_TILE = 64;

    private static final ThreadLocal<float[]> FLOAT_PANEL = ThreadLocal.withInitial(() -> new float[DEPTH_TILE * COLUMN_TILE]);
    private static final ThreadLocal<double[]> DOUBLE_PANEL = ThreadLocal.withInitial(() -> new double[DEPTH_TILE * COLUMN_TILE]);

    private CpuGemm() {
    }

    static void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        int rowTile = rowTile(m, n);
        int rowTiles = (m + rowTile - 1) / rowTile;
        int columnTiles = (n + COLUMN_TILE - 1) / COLUMN_TILE;
        int tilesPerMatrix = rowTiles * columnTiles;
        boolean isFloat = c.storage().dtype() == DType.FLOAT32;
        Parallel.forRange(batch * tilesPerMatrix, 1, (start, end) -> {
            for (int task = start; task < end; task++) {
                int matrix = task / tilesPerMatrix;
                int tile = task % tilesPerMatrix;
                int i0 = (tile / columnTiles) * rowTile;
                int j0 = (tile % columnTiles) * COLUMN_TILE;
                int i1 = Math.min(m, i0 + rowTile);
                int j1 = Math.min(n, j0 + COLUMN_TILE);
                if (isFloat) {
                    floatTile(matrix, i0, i1, j0, j1, k, a, b, c, accumulate);
                } else {
                    doubleTile(matrix, i0, i1, j0, j1, k, a, b, c, accumulate);
                }
            }
        });
    }

    /** Rows per tile: at most 64, fewer when that leaves threads idle; a multiple of 4. */
    private static int rowTile(int m, int n) {
        int threads = Parallel.threads();
        int columnTiles = (n + COLUMN_TILE - 1) / COLUMN_TILE;
        int wantedRowTiles = Math.max(1, (threads + columnTiles - 1) / columnTiles);
        int rows = (m + wantedRowTiles - 1) / wantedRowTiles;
        rows = (rows + 3) / 4 * 4;
        return Math.max(4, Math.min(MAX_ROW_TILE, rows));
    }

    private static void floatTile(int matrix, int i0, int i1, int j0, int j1, int k,
                                  MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        float[] av = ((CpuStorage) a.storage()).floats;
        float[] bv = ((CpuStorage) b.storage()).floats;
        float[] cv = ((CpuStorage) c.storage()).floats;
        int aBase = a.offset() + matrix * a.batchStride();
        int bBase = b.offset() + matrix * b.batchStride();
        int cBase = c.offset() + matrix * c.batchStride();
        int ldc = c.leadingDimension();
        int width = j1 - j0;
        // element (i, p) of A is at aBase + i * aRow + p * aCol, whether A is stored transposed or not
        int aRow = a.transposed() ? 1 : a.leadingDimension();
        int aCol = a.transposed() ? a.leadingDimension() : 1;
        if (!accumulate) {
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(cv, cBase + i * ldc + j0, cBase + i * ldc + j1, 0f);
            }
        }
        float[] panel = FLOAT_PANEL.get();
        for (int p0 = 0; p0 < k; p0 += DEPTH_TILE) {
            int depth = Math.min(DEPTH_TILE, k - p0);
            for (int p = 0; p < depth; p++) {
                for (int j = 0; j < width; j++) {
                    panel[p * width + j] = bv[bBase + element(b, p0 + p, j0 + j)];
                }
            }
            int i = i0;
            for (; i + 3 < i1; i += 4) {
                int c0 = cBase + i * ldc + j0;
                int c1 = c0 + ldc;
                int c2 = c1 + ldc;
                int c3 = c2 + ldc;
                int a0 = aBase + i * aRow + p0 * aCol;
                for (int p = 0; p < depth; p++) {
                    int ap = a0 + p * aCol;
                    float x0 = av[ap];
                    float x1 = av[ap + aRow];
                    float x2 = av[ap + 2 * aRow];
                    float x3 = av[ap + 3 * aRow];
                    int row = p * width;
                    for (int j = 0; j < width; j++) {
                        float y = panel[row + j];
                        cv[c0 + j] += x0 * y;
                        cv[c1 + j] += x1 * y;
                        cv[c2 + j] += x2 * y;
                        cv[c3 + j] += x3 * y;
                    }
                }
            }
            for (; i < i1; i++) {
                int c0 = cBase + i * ldc + j0;
                int a0 = aBase + i * aRow + p0 * aCol;
                for (int p = 0; p < depth; p++) {
                    float x0 = av[a0 + p * aCol];
                    int row = p * width;
                    for (int j = 0; j < width; j++) {
                        cv[c0 + j] += x0 * panel[row + j];
                    }
                }
            }
        }
    }

    private static void doubleTile(int matrix, int i0, int i1, int j0, int j1, int k,
                                   MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        double[] av = ((CpuStorage) a.storage()).doubles;
        double[] bv = ((CpuStorage) b.storage()).doubles;
        double[] cv = ((CpuStorage) c.storage()).doubles;
        int aBase = a.offset() + matrix * a.batchStride();
        int bBase = b.offset() + matrix * b.batchStride();
        int cBase = c.offset() + matrix * c.batchStride();
        int ldc = c.leadingDimension();
        int width = j1 - j0;
        int aRow = a.transposed() ? 1 : a.leadingDimension();
        int aCol = a.transposed() ? a.leadingDimension() : 1;
        if (!accumulate) {
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(cv, cBase + i * ldc + j0, cBase + i * ldc + j1, 0.0);
            }
        }
        double[] panel = DOUBLE_PANEL.get();
        for (int p0 = 0; p0 < k; p0 += DEPTH_TILE) {
            int depth = Math.min(DEPTH_TILE, k - p0);
            for (int p = 0; p < depth; p++) {
                for (int j = 0; j < width; j++) {
                    panel[p * width + j] = bv[bBase + element(b, p0 + p, j0 + j)];
                }
            }
            int i = i0;
            for (; i + 1 < i1; i += 2) {
                int c0 = cBase + i * ldc + j0;
                int c1 = c0 + ldc;
                int a0 = aBase + i * aRow + p0 * aCol;
                for (int p = 0; p < depth; p++) {
                    int ap = a0 + p * aCol;
                    double x0 = av[ap];
                    double x1 = av[ap + aRow];
                    int row = p * width;
                    for (int j = 0; j < width; j++) {
                        double y = panel[row + j];
                        cv[c0 + j] += x0 * y;
                        cv[c1 + j] += x1 * y;
                    }
                }
            }
            for (; i < i1; i++) {
                int c0 = cBase + i * ldc + j0;
                int a0 = aBase + i * aRow + p0 * aCol;
                for (int p = 0; p < depth; p++) {
                    double x0 = av[a0 + p * aCol];
                    int row = p * width;
                    for (int j = 0; j < width; j++) {
                        cv[c0 + j] += x0 * panel[row + j];
                    }
                }
            }
        }
    }

    /** The storage offset (relative to the matrix base) of element (row, column) of operand {@code x}. */
    private static int element(MatrixOperand x, int row, int column) {
        return x.transposed() ? column * x.leadingDimension() + row : row * x.leadingDimension() + column;
    }
}
