package dev.descent.core;

import java.util.ServiceLoader;

/** Finds the backend of a device: the built-in CPU backend, or one registered through ServiceLoader. */
final class Backends {
    private static final CpuBackend CPU = new CpuBackend();

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

    private static BackendProvider provider(Device.Type type) {
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            if (provider.type() == type) {
                return provider;
            }
        }
        return null;
    }
}
