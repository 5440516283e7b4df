package dev.descent.core.cpu;

import dev.descent.core.Backend.MatrixOperand;
import dev.descent.core.DType;
import dev.descent.core.Storage;

/**
 * Matrix multiplication on the CPU: {@code C = A @ B (+ C)}, batched, with A and B read in place
 * whether stored plainly or transposed. float32 goes to {@link VectorGemm}'s FMA micro-kernels
 * when the JVM has the Vector API module; this class's plain-Java kernel is the fallback (and
 * serves float64).
 *
 * <p>C is cut into tiles of {@code rowTile x COLUMN_TILE}, spread over the thread pool. For each
 * tile, a panel of B ({@code DEPTH_TILE x COLUMN_TILE}) is copied into separate row arrays (so a
 * transposed B costs nothing extra and the panel stays in cache). Each row of the C tile is then
 * accumulated in a scratch row as {@code acc[j] += A[i,p] B[p,j] + A[i,p+1] B[p+1,j] + ...}, four
 * panel rows per pass.
 *
 * <p>Why the scratch row and the separate panel rows: HotSpot's auto-vectorizer only turns a loop
 * into SIMD code when it can prove the arrays it writes do not overlap what it reads in a later
 * iteration. Every array here is indexed by the same {@code j} from 0, which it can prove; with
 * offsets into one shared array ({@code c[c0 + j] += x * b[b0 + j]}) it cannot, and the loop runs
 * scalar, about six times slower.
 */
final class CpuGemm {
    static final int DEPTH_TILE = 256;
    static final int COLUMN_TILE = 256;
    private static final int MAX_ROW_TILE = 64;

    private static final ThreadLocal<float[][]> FLOAT_PANEL = ThreadLocal.withInitial(() -> new float[DEPTH_TILE + 1][COLUMN_TILE]);
    private static final ThreadLocal<double[][]> DOUBLE_PANEL = ThreadLocal.withInitial(() -> new double[DEPTH_TILE + 1][COLUMN_TILE]);

    private CpuGemm() {
    }

    static void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        if (VectorSupport.enabled && c.storage().dtype() == DType.FLOAT32 && !c.transposed()) {
            VectorGemm.gemm(batch, m, n, k, a, b, c, accumulate);
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
                Tile t = new Tile(matrix, (tile / columnTiles) * rowTile, (tile % columnTiles) * COLUMN_TILE, m, n, k, a, b, c);
                t.rowEnd = Math.min(m, t.rowStart + rowTile);
                t.columnEnd = Math.min(n, t.columnStart + COLUMN_TILE);
                if (isFloat) {
                    floatTile(t, accumulate);
                } else {
                    doubleTile(t, accumulate);
                }
            }
        });
    }

    /** Rows per tile: at most 64, fewer when that leaves threads idle. */
    private static int rowTile(int m, int n) {
        int threads = Parallel.threads();
        int columnTiles = (n + COLUMN_TILE - 1) / COLUMN_TILE;
        int wantedRowTiles = Math.max(1, (threads + columnTiles - 1) / columnTiles);
        int rows = (m + wantedRowTiles - 1) / wantedRowTiles;
        return Math.max(1, Math.min(MAX_ROW_TILE, rows));
    }

    /** One tile of C and the addressing of its operands. */
    private static final class Tile {
        final int rowStart;
        final int columnStart;
        int rowEnd;
        int columnEnd;
        final int k;
        final MatrixOperand a;
        final MatrixOperand b;
        final int aBase;
        final int bBase;
        final Storage cStorage;
        final int cBase;
        final int ldc;
        /** Element (i, p) of A is at {@code aBase + i * aRow + p * aColumn}, transposed or not. */
        final int aRow;
        final int aColumn;

        Tile(int matrix, int rowStart, int columnStart, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c) {
            this.rowStart = rowStart;
            this.columnStart = columnStart;
            this.k = k;
            this.a = a;
            this.b = b;
            aBase = a.offset() + matrix * a.batchStride();
            bBase = b.offset() + matrix * b.batchStride();
            cStorage = c.storage();
            cBase = c.offset() + matrix * c.batchStride();
            ldc = c.leadingDimension();
            aRow = a.transposed() ? 1 : a.leadingDimension();
            aColumn = a.transposed() ? a.leadingDimension() : 1;
        }

        /** Storage offset of element (row, column) of B. */
        int bElement(int row, int column) {
            return bBase + (b.transposed() ? column * b.leadingDimension() + row : row * b.leadingDimension() + column);
        }
    }

    private static void floatTile(Tile t, boolean accumulate) {
        float[] av = ((CpuStorage) t.a.storage()).floats;
        float[] bv = ((CpuStorage) t.b.storage()).floats;
        int width = t.columnEnd - t.columnStart;
        float[][] panel = FLOAT_PANEL.get();
        float[] acc = panel[DEPTH_TILE];
        float[] cv = ((CpuStorage) t.cStorage).floats;
        for (int p0 = 0; p0 < t.k || p0 == 0; p0 += DEPTH_TILE) {
            int depth = Math.min(DEPTH_TILE, t.k - p0);
            for (int p = 0; p < depth; p++) {
                float[] row = panel[p];
                for (int j = 0; j < width; j++) {
                    row[j] = bv[t.bElement(p0 + p, t.columnStart + j)];
                }
            }
            for (int i = t.rowStart; i < t.rowEnd; i++) {
                int c0 = t.cBase + i * t.ldc + t.columnStart;
                if (p0 == 0 && !accumulate) {
                    java.util.Arrays.fill(acc, 0, width, 0f);
                } else {
                    System.arraycopy(cv, c0, acc, 0, width);
                }
                int a0 = t.aBase + i * t.aRow + p0 * t.aColumn;
                int step = t.aColumn;
                int p = 0;
                for (; p + 3 < depth; p += 4) {
                    int ap = a0 + p * step;
                    multiplyAdd4(acc, panel[p], panel[p + 1], panel[p + 2], panel[p + 3],
                            av[ap], av[ap + step], av[ap + 2 * step], av[ap + 3 * step], width);
                }
                for (; p < depth; p++) {
                    multiplyAdd(acc, panel[p], av[a0 + p * step], width);
                }
                System.arraycopy(acc, 0, cv, c0, width);
            }
            if (t.k == 0) {
                break;
            }
        }
    }

    private static void doubleTile(Tile t, boolean accumulate) {
        double[] av = ((CpuStorage) t.a.storage()).doubles;
        double[] bv = ((CpuStorage) t.b.storage()).doubles;
        int width = t.columnEnd - t.columnStart;
        double[][] panel = DOUBLE_PANEL.get();
        double[] acc = panel[DEPTH_TILE];
        double[] cv = ((CpuStorage) t.cStorage).doubles;
        for (int p0 = 0; p0 < t.k || p0 == 0; p0 += DEPTH_TILE) {
            int depth = Math.min(DEPTH_TILE, t.k - p0);
            for (int p = 0; p < depth; p++) {
                double[] row = panel[p];
                for (int j = 0; j < width; j++) {
                    row[j] = bv[t.bElement(p0 + p, t.columnStart + j)];
                }
            }
            for (int i = t.rowStart; i < t.rowEnd; i++) {
                int c0 = t.cBase + i * t.ldc + t.columnStart;
                if (p0 == 0 && !accumulate) {
                    java.util.Arrays.fill(acc, 0, width, 0.0);
                } else {
                    System.arraycopy(cv, c0, acc, 0, width);
                }
                int a0 = t.aBase + i * t.aRow + p0 * t.aColumn;
                int step = t.aColumn;
                int p = 0;
                for (; p + 3 < depth; p += 4) {
                    int ap = a0 + p * step;
                    multiplyAdd4(acc, panel[p], panel[p + 1], panel[p + 2], panel[p + 3],
                            av[ap], av[ap + step], av[ap + 2 * step], av[ap + 3 * step], width);
                }
                for (; p < depth; p++) {
                    multiplyAdd(acc, panel[p], av[a0 + p * step], width);
                }
                System.arraycopy(acc, 0, cv, c0, width);
            }
            if (t.k == 0) {
                break;
            }
        }
    }

    private static void multiplyAdd4(float[] acc, float[] b0, float[] b1, float[] b2, float[] b3,
                                     float x0, float x1, float x2, float x3, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j];
        }
    }

    private static void multiplyAdd(float[] acc, float[] b0, float x0, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += x0 * b0[j];
        }
    }

    private static void multiplyAdd4(double[] acc, double[] b0, double[] b1, double[] b2, double[] b3,
                                     double x0, double x1, double x2, double x3, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += x0 * b0[j] + x1 * b1[j] + x2 * b2[j] + x3 * b3[j];
        }
    }

    private static void multiplyAdd(double[] acc, double[] b0, double x0, int n) {
        for (int j = 0; j < n; j++) {
            acc[j] += x0 * b0[j];
        }
    }
}
