package dev.descent.core.cpu;

/**
 * Whether the explicit SIMD kernels ({@link VectorGemm}, {@link VectorKernels}) run: they need the
 * JVM to be started with {@code --add-modules jdk.incubator.vector} (the {@code descent} launcher,
 * Surefire and the benchmarks do so). Without the module, or with the system property
 * {@code descent.vectorApi=false}, the plain-Java kernels run; tests switch {@link #enabled} to
 * check both paths.
 */
final class VectorSupport {
    /** Whether the module is in the boot layer, so the classes that use it can load. */
    static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    static volatile boolean enabled = PRESENT && !"false".equals(System.getProperty("descent.vectorApi"));

    private VectorSupport() {
    }
}
