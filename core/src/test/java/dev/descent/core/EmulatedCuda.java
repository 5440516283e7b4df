package dev.descent.core;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: {@code @ExtendWith(EmulatedCuda.class)} switches {@link EmulatedCudaBackend} on
 * for the test class (cuda:0 becomes the host-emulated device) and off after it.
 */
public final class EmulatedCuda implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty(EmulatedCudaBackend.PROPERTY, "true");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty(EmulatedCudaBackend.PROPERTY);
    }
}
