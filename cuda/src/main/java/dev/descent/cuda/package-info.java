/**
 * The CUDA backend: {@code CudaBackend} implements core's {@code Backend} with our own PTX kernels
 * (sources in {@code cuda/src/main/cuda}, compiled by {@code tools/build-ptx.sh}) launched through
 * the JCuda driver API, and cuBLAS 12 through JCublas2 (or our tiled kernel) for matrix products.
 * It registers through {@code ServiceLoader}, so core never imports it; {@link dev.descent.cuda.CudaMemory}
 * is the public view of each device's caching allocator.
 */
package dev.descent.cuda;
