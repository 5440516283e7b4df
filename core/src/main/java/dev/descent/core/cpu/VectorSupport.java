package dev.descent.core.cpu;

/**
 * Whether the explicit SIMD kernels ({@link VectorGemm}, {@link VectorKernels}) run: they need the
 * JVM to be started with {@code --add-modules jdk.incubator.vector} (the {@code descent} launcher,
 * Surefire and the benchmarks do so). Without the module, or with the system property
 * {@code descent.vectorApi=false}, the plain-Java kernels run; tests switch {@link #enabled} to
 * check both paths. The first use logs once (System.Logger {@code dev.descent}) when the
 * plain-Java kernels run and why, so that a library user who left the flag out learns of it.
 */
final class VectorSupport {
    /** Whether the module is in the boot layer, so the classes that use it can load. */
    static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    static volatile boolean enabled = PRESENT && !"false".equals(System.getProperty("descent.vectorApi"));

    static {
        String reason = fallbackReason(PRESENT, System.getProperty("descent.vectorApi"));
        if (reason != null) {
            System.getLogger("dev.descent").log(System.Logger.Level.WARNING, reason);
        }
    }

    private VectorSupport() {
    }

    /** Why the plain-Java kernels run, for a JVM with or without the module and the property's value; null when the SIMD ones do. */
    static String fallbackReason(boolean present, String property) {
        if (!present) {
            return "Descent runs its plain-Java CPU kernels: this JVM was started without the Vector API; start it with"
                    + " --add-modules jdk.incubator.vector for the SIMD kernels (the same results, faster)";
        }
        if ("false".equals(property)) {
            return "Descent runs its plain-Java CPU kernels: the system property descent.vectorApi=false turned the SIMD kernels off";
        }
        return null;
    }
}
