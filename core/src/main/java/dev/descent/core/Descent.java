package dev.descent.core;

import dev.descent.core.cpu.CpuBackend;

/**
 * Global settings of the framework.
 *
 * <p>CPU kernels run on one shared pool of worker threads. Its size is read once from the
 * environment variable {@code DESCENT_NUM_THREADS} (default: the number of available cores) and can
 * be changed at any time with {@link #setNumThreads(int)}:
 * <pre>{@code
 * Descent.setNumThreads(2);   // at most two cores for every CPU kernel from now on
 * }</pre>
 */
public final class Descent {
    private Descent() {
    }

    /** Sets the number of threads CPU kernels may use; 1 runs everything on the calling thread. */
    public static void setNumThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Descent.setNumThreads: threads must be >= 1, got " + threads);
        }
        CpuBackend.setThreads(threads);
    }

    /** The number of threads CPU kernels may use. */
    public static int numThreads() {
        return CpuBackend.threads();
    }

    /**
     * Whether float32 kernels run as explicit SIMD code (the JVM was started with
     * {@code --add-modules jdk.incubator.vector}); otherwise plain-Java kernels give the same results,
     * more slowly.
     */
    public static boolean simdKernels() {
        return CpuBackend.simdKernels();
    }
}
