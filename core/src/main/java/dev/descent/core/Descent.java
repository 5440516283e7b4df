package dev.descent.core;

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
        Parallel.resize(threads);
    }

    /** The number of threads CPU kernels may use. */
    /**
     * Whether float32 kernels run as explicit SIMD code (the JVM was started with
     * {@code --add-modules jdk.incubator.vector}); otherwise plain-Java kernels give the same results,
     * more slowly.
     */
    public static boolean simdKernels() {
        return VectorSupport.enabled;
    }

    public static int numThreads() {
        return Parallel.threads();
    }

    /** The thread count from {@code DESCENT_NUM_THREADS}, or the number of available cores. */
    static int defaultThreads() {
        String configured = System.getenv("DESCENT_NUM_THREADS");
        if (configured == null || configured.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int threads = Integer.parseInt(configured.trim());
            if (threads >= 1) {
                return threads;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalStateException("DESCENT_NUM_THREADS must be a positive integer, got '" + configured + "'");
    }
}
