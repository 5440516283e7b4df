package dev.descent.cuda;

import dev.descent.core.Device;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: the test class runs on the machine's GPU when it has one, else on the
 * {@linkplain EmulatedDevice emulated} {@code cuda:0}, which keeps the same memory and capture rules;
 * so the same tests run on a GPU and in CI without one.
 */
public final class RealOrEmulatedGpu implements BeforeAllCallback, AfterAllCallback {
    private boolean emulating;

    @Override
    public void beforeAll(ExtensionContext context) {
        emulating = !Device.cudaAvailable();
        if (emulating) {
            System.setProperty(EmulatedDevice.PROPERTY, "true");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (emulating) {
            System.clearProperty(EmulatedDevice.PROPERTY);
        }
    }
}
