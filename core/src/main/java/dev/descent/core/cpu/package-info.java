/**
 * The built-in CPU backend: {@link dev.descent.core.cpu.CpuBackend} implements core's
 * {@link dev.descent.core.Backend} on Java arrays, its kernels running on one shared team of
 * threads ({@link dev.descent.core.Descent#setNumThreads}) and, where the JVM has
 * {@code jdk.incubator.vector}, as explicit SIMD code with plain-Java fallbacks that give the same
 * results. Everything else here is package-private: the rest of core reaches the CPU through the
 * {@code Backend} interface, as it reaches any other device.
 */
package dev.descent.core.cpu;
