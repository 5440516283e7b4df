/**
 * The CUDA backend: CudaBackend implements the core Backend over JCuda (driver API, our own PTX kernels) and JCublas (GEMM), registered through ServiceLoader so core never imports it. Arrives with the cuda issue.
 */
package dev.descent.cuda;
