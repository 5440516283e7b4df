package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The plain-Java fallback is announced once, with its reason, and not at all when the SIMD kernels run. */
class VectorSupportTest {
    /** Started in a JVM without the Vector API: two matrix products and two element-wise ops, then exit. */
    public static void main(String[] args) {
        NDArray a = NDArray.ones(64, 64);
        a.matmul(a).add(a).matmul(a).relu();
        a.matmul(NDArray.ones(5, 64).t());   // a narrow product along the depth (the dot-product kernel's case)
        NDArray x = NDArray.ones(2, 3, 8, 8);   // 2x2 max pooling (the vector pooling's case)
        x.backend().pooling().maxPool2d(x, PoolingKernels.Window.of(2, 2, 0), NDArray.zeros(2, 3, 4, 4),
                NDArray.zeros(DType.INT32, 2, 3, 4, 4));
        System.out.println("done");
    }

    @Test
    void theFallbackReasonSaysWhyAndHowToGetTheSimdKernels() {
        assertTrue(VectorSupport.fallbackReason(false, null).contains("--add-modules jdk.incubator.vector"));
        assertTrue(VectorSupport.fallbackReason(true, "false").contains("descent.vectorApi=false"));
        assertNull(VectorSupport.fallbackReason(true, null));
        assertNull(VectorSupport.fallbackReason(true, "true"));
    }

    @Test
    void aJvmWithoutTheVectorApiLogsTheFallbackExactlyOnce() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), VectorSupportTest.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertEquals(1, output.lines().filter(line -> line.contains("Descent runs its plain-Java CPU kernels")).count(), output);
        assertTrue(output.contains("done"), output);
    }
}
