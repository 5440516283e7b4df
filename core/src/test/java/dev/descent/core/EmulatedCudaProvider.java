package dev.descent.core;

/** Registers {@link EmulatedCudaBackend} (test class path only) as one CUDA device while it is enabled. */
public final class EmulatedCudaProvider implements BackendProvider {
    @Override
    public Device.Type type() {
        return Device.Type.CUDA;
    }

    @Override
    public int deviceCount() {
        return EmulatedCudaBackend.enabled() ? 1 : 0;
    }

    @Override
    public String status() {
        return EmulatedCudaBackend.enabled() ? "cuda:0 emulated on the host (tests)" : "emulated CUDA device off";
    }

    @Override
    public Backend backend(int index) {
        return EmulatedCudaBackend.INSTANCE;
    }
}
