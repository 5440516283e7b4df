package dev.descent.cuda;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: {@code @ExtendWith(EmulatedGpu.class)} makes {@code cuda:0} the
 * {@linkplain EmulatedDevice emulated device} for the test class (real CUDA memory rules, CPU
 * kernels) and switches it off after, so other classes in the same JVM see the machine as it is.
 */
public final class EmulatedGpu implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty(EmulatedDevice.PROPERTY, "true");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty(EmulatedDevice.PROPERTY);
    }
}
