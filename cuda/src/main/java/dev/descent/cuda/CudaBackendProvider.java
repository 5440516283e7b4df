package dev.descent.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

import dev.descent.core.Backend;
import dev.descent.core.BackendProvider;
import dev.descent.core.Device;
import jcuda.driver.JCudaDriver;

/**
 * Registers the CUDA backend with core through {@code ServiceLoader}. Probing the driver happens
 * once: without JCuda's native library, without {@code libcuda.so.1} (no NVIDIA driver) or without
 * a device, {@link #deviceCount} is 0 and {@link #status} says which, so
 * {@code Device.cudaAvailable()} is false and nothing else changes.
 *
 * <p>When the {@linkplain EmulatedDevice emulated device} is requested ({@code -Ddescent.cuda.emulate=true}
 * or {@code DESCENT_CUDA_EMULATE=1}), it is the one CUDA device, whether or not a GPU is present;
 * the switch is read on every call, so tests can turn it on and off.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static final Object LOCK = new Object();
    private static volatile Probe probe;
    private static CudaBackend[] backends;
    private static EmulatedCudaBackend emulated;

    private record Probe(int count, String status) {
    }

    @Override
    public Device.Type type() {
        return Device.Type.CUDA;
    }

    @Override
    public int deviceCount() {
        return EmulatedDevice.requested() ? 1 : probe().count();
    }

    @Override
    public String status() {
        if (EmulatedDevice.requested()) {
            return emulated().emulatedDevice().description();
        }
        Probe p = probe();
        if (p.count() == 0) {
            return p.status();
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < p.count(); i++) {
            line.append(i > 0 ? "; " : "").append(cudaBackend(i).cudaDevice().description());
        }
        return line.toString();
    }

    @Override
    public Backend backend(int index) {
        if (EmulatedDevice.requested()) {
            checkIndex(index, 1);
            return emulated();
        }
        return cudaBackend(index);
    }

    /** The allocator and counters of a CUDA device, for {@link CudaMemory} and {@link DeviceActivity}. */
    static DeviceRuntime runtime(Device device) {
        if (device.type() != Device.Type.CUDA) {
            throw new IllegalArgumentException("not a CUDA device: " + device);
        }
        if (EmulatedDevice.requested()) {
            checkIndex(device.index(), 1);
            return emulated().emulatedDevice();
        }
        return cudaBackend(device.index()).cudaDevice();
    }

    private static void checkIndex(int index, int count) {
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("cuda:" + index + " does not exist: " + count + " CUDA device(s) found");
        }
    }

    /** The emulated device, made on first request and kept: its allocator's statistics span the program, as a GPU's do. */
    private static EmulatedCudaBackend emulated() {
        synchronized (LOCK) {
            if (emulated == null) {
                emulated = new EmulatedCudaBackend(new EmulatedDevice(EmulatedDevice.requestedCapacity()));
            }
            return emulated;
        }
    }

    private static CudaBackend cudaBackend(int index) {
        checkIndex(index, probe().count());
        synchronized (LOCK) {
            if (backends == null) {
                backends = new CudaBackend[probe().count()];
            }
            if (backends[index] == null) {
                backends[index] = new CudaBackend(new CudaDevice(index));
            }
            return backends[index];
        }
    }

    private static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (LOCK) {
                if (probe == null) {
                    probe = detect();
                }
                p = probe;
            }
        }
        return p;
    }

    private static Probe detect() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = {0};
            cuDeviceGetCount(count);
            return new Probe(count[0], count[0] == 0 ? "CUDA driver found but it reports no device" : "");
        } catch (UnsatisfiedLinkError e) {
            String message = String.valueOf(e.getMessage());
            return new Probe(0, message.contains("libcuda") ? "no NVIDIA driver (libcuda.so.1 not found)"
                    : "JCuda's native library did not load: " + message.lines().findFirst().orElse(""));
        } catch (Throwable e) {  // CudaException: CUDA_ERROR_NO_DEVICE, CUDA_ERROR_INSUFFICIENT_DRIVER, ...
            return new Probe(0, "the CUDA driver did not start: " + e.getMessage());
        }
    }
}
