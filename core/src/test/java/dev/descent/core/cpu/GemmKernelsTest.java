package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backend;
import dev.descent.core.DType;
import dev.descent.core.Descent;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Both float32 GEMM paths, the Vector API kernel ({@link VectorGemm}) and the plain-Java
 * fallback, against a float64 reference on random shapes: edges that are not multiples of the
 * micro-tile, depths across several depth blocks, rows across several row blocks, transposed
 * operands, batches, and one and two threads (which split C differently).
 */
class GemmKernelsTest {
    private final boolean original = VectorSupport.enabled;
    private final int originalThreads = Descent.numThreads();

    @AfterEach
    void restore() {
        VectorSupport.enabled = original;
        Descent.setNumThreads(originalThreads);
    }

    @Test
    void theVectorApiModuleIsPresentInTheTestJvm() {
        // Surefire starts the JVM with --add-modules jdk.incubator.vector; without it the kernel below would not be tested.
        assertTrue(VectorSupport.PRESENT, "jdk.incubator.vector is not in the boot layer");
    }

    @Test
    void bothKernelsMatchTheReferenceOnRandomShapes() {
        java.util.Random random = new java.util.Random(17);
        Generator g = new Generator(3);
        for (int configuration = 0; configuration < 4; configuration++) {
            boolean vector = configuration < 2;
            VectorSupport.enabled = vector;
            Descent.setNumThreads(1 + configuration % 2);
            for (int trial = 0; trial < 44; trial++) {
                int m = trial < 40 ? 1 + random.nextInt(trial < 20 ? 20 : 140) : 241 + random.nextInt(300);
                int k = random.nextInt(trial < 20 ? 20 : trial < 40 ? 600 : 300);
                int n = 1 + random.nextInt(trial < 20 ? 40 : trial < 40 ? 300 : 100);
                boolean transposeA = random.nextBoolean();
                boolean transposeB = random.nextBoolean();
                NDArray a = transposeA ? NDArray.randn(g, k, m).t() : NDArray.randn(g, m, k);
                NDArray b = transposeB ? NDArray.randn(g, n, k).t() : NDArray.randn(g, k, n);
                NDArray product = a.matmul(b);
                NDArray reference = a.astype(DType.FLOAT64).matmul(b.astype(DType.FLOAT64));
                double error = product.astype(DType.FLOAT64).sub(reference).abs().max().item();
                assertTrue(error <= 1e-5 * Math.max(1, k), (vector ? "vector" : "plain") + " kernel, "
                        + Descent.numThreads() + " threads, " + m + "x" + k + "x" + n
                        + (transposeA ? " A^T" : "") + (transposeB ? " B^T" : "") + ": error " + error);
            }
            NDArray batchA = NDArray.randn(g, 3, 37, 70);
            NDArray batchB = NDArray.randn(g, 3, 70, 45);
            double batched = batchA.matmul(batchB).astype(DType.FLOAT64)
                    .sub(batchA.astype(DType.FLOAT64).matmul(batchB.astype(DType.FLOAT64))).abs().max().item();
            assertTrue(batched < 1e-4, "batched: " + batched);
        }
    }

    /** Narrow C with both operands along the depth (a conv's weight gradient): the dot-product kernel, odd rows and columns included. */
    @Test
    void narrowProductsAlongTheDepthMatchTheReference() {
        java.util.Random random = new java.util.Random(29);
        Generator g = new Generator(7);
        VectorSupport.enabled = original;
        for (int threads = 1; threads <= 2; threads++) {
            Descent.setNumThreads(threads);
            for (int trial = 0; trial < 30; trial++) {
                int m = 1 + random.nextInt(70);
                int n = 1 + random.nextInt(GemmDotKernels.NARROW);
                int k = 4 * GemmMicroKernels.LANES + random.nextInt(900);
                NDArray a = NDArray.randn(g, m, k);
                NDArray b = NDArray.randn(g, n, k).t();
                NDArray start = NDArray.randn(g, m, n);
                NDArray sum = start.copy().addmmi(a, b);
                NDArray reference = start.astype(DType.FLOAT64).add(a.astype(DType.FLOAT64).matmul(b.astype(DType.FLOAT64)));
                double error = sum.astype(DType.FLOAT64).sub(reference).abs().max().item();
                assertTrue(error <= 1e-5 * k, threads + " threads, " + m + "x" + k + "x" + n + ": error " + error);
                double overwrite = a.matmul(b).astype(DType.FLOAT64).sub(reference.sub(start.astype(DType.FLOAT64))).abs().max().item();
                assertTrue(overwrite <= 1e-5 * k, "matmul " + m + "x" + k + "x" + n + ": error " + overwrite);
            }
        }
    }

    /** Backend.gemm directly: with accumulate false C's old contents (NaN here) must not leak into the product. */
    @Test
    void overwritingNeverReadsWhatCHeldAndAccumulatingAddsToIt() {
        java.util.Random random = new java.util.Random(23);
        Generator g = new Generator(5);
        for (int configuration = 0; configuration < 4; configuration++) {
            VectorSupport.enabled = configuration < 2;
            Descent.setNumThreads(1 + configuration % 2);
            for (int trial = 0; trial < 12; trial++) {
                int m = 1 + random.nextInt(150);
                int k = 1 + random.nextInt(trial < 6 ? 100 : 600);   // past one depth block too
                int n = 1 + random.nextInt(200);
                boolean transposeA = random.nextBoolean();
                NDArray a = NDArray.randn(g, transposeA ? k : m, transposeA ? m : k);
                NDArray b = NDArray.randn(g, k, n);
                Backend.MatrixOperand ma = new Backend.MatrixOperand(a.storage(), 0, transposeA ? m : k, m * k, transposeA);
                Backend.MatrixOperand mb = new Backend.MatrixOperand(b.storage(), 0, n, k * n, false);
                NDArray reference = (transposeA ? a.t() : a).astype(DType.FLOAT64).matmul(b.astype(DType.FLOAT64));
                // NaN in C: a product that read it while overwriting would come out NaN
                NDArray c = NDArray.full(Double.NaN, m, n);
                a.backend().gemm(1, m, n, k, ma, mb, new Backend.MatrixOperand(c.storage(), 0, n, m * n, false), false);
                String what = (VectorSupport.enabled ? "vector " : "plain ") + m + "x" + k + "x" + n + (transposeA ? " A^T" : "");
                assertTrue(c.astype(DType.FLOAT64).sub(reference).abs().max().item() <= 1e-5 * Math.max(1, k), "overwrite " + what);
                NDArray start = NDArray.randn(g, m, n);
                NDArray sum = start.copy();
                a.backend().gemm(1, m, n, k, ma, mb, new Backend.MatrixOperand(sum.storage(), 0, n, m * n, false), true);
                double error = sum.astype(DType.FLOAT64).sub(reference.add(start.astype(DType.FLOAT64))).abs().max().item();
                assertTrue(error <= 1e-5 * Math.max(1, k), "accumulate " + what + ": error " + error);
            }
        }
    }

    /**
     * Products the vector kernel computes as {@code C^T = B^T A^T} (B contiguous along the depth,
     * or larger than L2): overwriting (C full of NaN) and accumulating, batched, on one and two
     * threads. Each shape is checked to take that path, so the test cannot pass by not running it.
     */
    @Test
    void transposedProductsMatchTheReference() {
        VectorSupport.enabled = true;
        Generator g = new Generator(11);
        // m x k x n, A stored transposed, B stored transposed
        int[][] shapes = {{128, 784, 512, 0, 1}, {64, 300, 201, 0, 1}, {128, 1000, 301, 1, 1}, {64, 600, 503, 0, 0}, {128, 512, 784, 1, 0}};
        for (int threads = 1; threads <= 2; threads++) {
            Descent.setNumThreads(threads);
            for (int[] shape : shapes) {
                int m = shape[0];
                int k = shape[1];
                int n = shape[2];
                boolean transposeA = shape[3] == 1;
                boolean transposeB = shape[4] == 1;
                int batch = 2;
                NDArray a = NDArray.randn(g, batch, transposeA ? k : m, transposeA ? m : k);
                NDArray b = NDArray.randn(g, batch, transposeB ? n : k, transposeB ? k : n);
                Backend.MatrixOperand ma = new Backend.MatrixOperand(a.storage(), 0, transposeA ? m : k, m * k, transposeA);
                Backend.MatrixOperand mb = new Backend.MatrixOperand(b.storage(), 0, transposeB ? k : n, k * n, transposeB);
                String what = threads + " threads, " + m + "x" + k + "x" + n + (transposeA ? " A^T" : "") + (transposeB ? " B^T" : "");
                assertTrue(VectorGemm.transposedProductPays(m, n, k, ma, mb), "not a transposed product: " + what);
                NDArray reference = (transposeA ? a.transpose(1, 2) : a).astype(DType.FLOAT64)
                        .matmul((transposeB ? b.transpose(1, 2) : b).astype(DType.FLOAT64));
                NDArray c = NDArray.full(Double.NaN, batch, m, n);
                a.backend().gemm(batch, m, n, k, ma, mb, new Backend.MatrixOperand(c.storage(), 0, n, m * n, false), false);
                double error = c.astype(DType.FLOAT64).sub(reference).abs().max().item();
                assertTrue(error <= 1e-5 * k, "overwrite " + what + ": error " + error);
                NDArray start = NDArray.randn(g, batch, m, n);
                NDArray sum = start.copy();
                a.backend().gemm(batch, m, n, k, ma, mb, new Backend.MatrixOperand(sum.storage(), 0, n, m * n, false), true);
                error = sum.astype(DType.FLOAT64).sub(reference.add(start.astype(DType.FLOAT64))).abs().max().item();
                assertTrue(error <= 1e-5 * k, "accumulate " + what + ": error " + error);
            }
        }
    }
}
