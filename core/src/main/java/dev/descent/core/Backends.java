package dev.descent.core;

import dev.descent.core.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the backend of a device: the built-in CPU backend, or one registered through ServiceLoader. */
final class Backends {
    private static final CpuBackend CPU = new CpuBackend();
    private static volatile List<BackendProvider> providers;

    private Backends() {
    }

    static Backend forDevice(Device device) {
        if (device.type() == Device.Type.CPU) {
            return CPU;
        }
        BackendProvider provider = provider(device.type());
        if (provider == null) {
            throw new IllegalStateException("no backend for device " + device + ": add the descent-"
                    + device.type().name().toLowerCase() + " module to the class path");
        }
        int count = provider.deviceCount();
        if (device.index() >= count) {
            throw new IllegalArgumentException("device " + device + " does not exist: " + count + " "
                    + device.type() + " device(s) found");
        }
        return provider.backend(device.index());
    }

    static int cudaDeviceCount() {
        BackendProvider provider = provider(Device.Type.CUDA);
        return provider == null ? 0 : provider.deviceCount();
    }

    static String cudaStatus() {
        BackendProvider provider = provider(Device.Type.CUDA);
        return provider == null ? "no CUDA backend: the descent-cuda module is not on the class path" : provider.status();
    }

    /** The registered providers, found once: every operation on a device array asks for its backend. */
    private static List<BackendProvider> providers() {
        List<BackendProvider> found = providers;
        if (found == null) {
            found = new ArrayList<>();
            ServiceLoader.load(BackendProvider.class).forEach(found::add);
            providers = found = List.copyOf(found);
        }
        return found;
    }

    /** The provider of {@code type}: the first that finds a device, else the first (for its status line), else null. */
    private static BackendProvider provider(Device.Type type) {
        BackendProvider first = null;
        for (BackendProvider provider : providers()) {
            if (provider.type() == type) {
                if (provider.deviceCount() > 0) {
                    return provider;
                }
                first = first == null ? provider : first;
            }
        }
        return first;
    }
}
