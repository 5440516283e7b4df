package dev.descent.cuda;

import dev.descent.core.Backend.MatrixOperand;
import dev.descent.core.DType;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * Matrix products on a device: cuBLAS ({@code cublasSgemmStridedBatched} and the double one)
 * through JCublas2 when {@code libcublas.so.12} loads, else the project's own tiled kernel
 * ({@code gemm.cu}), so the backend works with nothing but a driver.
 *
 * <p>Descent's matrices are row-major and cuBLAS's column-major. A row-major C = A B is the
 * column-major C<sup>T</sup> = B<sup>T</sup> A<sup>T</sup>, and a row-major matrix read as
 * column-major is already its transpose, so cuBLAS gets (B, A) with their own leading dimensions
 * and n, m swapped; an operand stored transposed takes {@code CUBLAS_OP_T}.
 */
final class CudaGemm {
    private static final int TILE = 64;
    private static final int MAX_GRID_Z = 65535;

    private final CudaDevice device;
    private final cublasHandle cublas;
    private final String unavailableReason;

    private CudaGemm(CudaDevice device, cublasHandle cublas, String unavailableReason) {
        this.device = device;
        this.cublas = cublas;
        this.unavailableReason = unavailableReason;
    }

    static CudaGemm create(CudaDevice device) {
        if (Boolean.getBoolean("descent.cuda.ownGemm")) {
            return new CudaGemm(device, null, "descent.cuda.ownGemm set");
        }
        try {
            JCublas2.setExceptionsEnabled(true);
            cublasHandle handle = new cublasHandle();
            JCublas2.cublasCreate(handle);
            JCublas2.cublasSetStream(handle, new cudaStream_t(device.stream()));
            return new CudaGemm(device, handle, null);
        } catch (Throwable e) {  // UnsatisfiedLinkError without libcublas.so.12, CudaException on a broken install
            return new CudaGemm(device, null, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** Which path runs, for the device description and {@code --device cuda} output. */
    String description() {
        return cublas != null ? "cuBLAS 12 (JCublas2)" : "Descent's tiled kernel (cuBLAS 12 not loaded: " + unavailableReason + ")";
    }

    boolean usesCublas() {
        return cublas != null;
    }

    void gemm(DType dtype, int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        CudaStorage as = (CudaStorage) a.storage();
        CudaStorage bs = (CudaStorage) b.storage();
        CudaStorage cs = (CudaStorage) c.storage();
        device.makeCurrent();
        if (cublas != null) {
            int opA = a.transposed() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
            int opB = b.transposed() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
            // cuBLAS rejects a leading dimension below the rows it reads, even when it reads one row
            int ldb = Math.max(b.leadingDimension(), b.transposed() ? k : n);
            int lda = Math.max(a.leadingDimension(), a.transposed() ? m : k);
            Pointer pa = as.pointer(a.offset());
            Pointer pb = bs.pointer(b.offset());
            Pointer pc = cs.pointer(c.offset());
            device.countLaunch();   // cuBLAS queues at least one kernel
            if (dtype == DType.FLOAT32) {
                JCublas2.cublasSgemmStridedBatched(cublas, opB, opA, n, m, k, Pointer.to(new float[] {1}), pb, ldb, b.batchStride(),
                        pa, lda, a.batchStride(), Pointer.to(new float[] {accumulate ? 1 : 0}), pc, c.leadingDimension(), c.batchStride(), batch);
            } else {
                JCublas2.cublasDgemmStridedBatched(cublas, opB, opA, n, m, k, Pointer.to(new double[] {1}), pb, ldb, b.batchStride(),
                        pa, lda, a.batchStride(), Pointer.to(new double[] {accumulate ? 1 : 0}), pc, c.leadingDimension(), c.batchStride(), batch);
            }
            return;
        }
        String kernel = dtype == DType.FLOAT32 ? "gemm_f32" : "gemm_f64";
        // gridDim.z is limited to 65535: larger batches go in slices, their offsets moved on
        for (int first = 0; first < batch; first += MAX_GRID_Z) {
            int slice = Math.min(MAX_GRID_Z, batch - first);
            device.launchGrid(kernel, (n + TILE - 1) / TILE, (m + TILE - 1) / TILE, slice, CudaDevice.THREADS,
                    m, n, k, as, operand(a, first), bs, operand(b, first), cs, operand(c, first), accumulate ? 1 : 0);
        }
    }

    /** The {@code Operand} struct of gemm.cu: offset, batch stride (64-bit), then leading dimension and transposed flag (32-bit each). */
    static long[] operand(MatrixOperand x, int firstBatch) {
        return new long[] {x.offset() + (long) firstBatch * x.batchStride(), x.batchStride(), (x.leadingDimension() & 0xFFFFFFFFL) | ((x.transposed() ? 1L : 0L) << 32)};
    }
}
