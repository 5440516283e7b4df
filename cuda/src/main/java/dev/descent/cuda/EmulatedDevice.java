package dev.descent.cuda;

import dev.descent.core.Device;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code cuda:0} emulated on the host, for machines without a GPU (CI, laptops): arrays live in
 * {@link CudaStorage}s handed out by the same {@link CachingAllocator} as on a GPU, are tracked
 * by the same memory scopes and become unusable the moment they are released, while the kernels
 * are the CPU's. So a program that keeps an array beyond its memory's lifetime fails here exactly
 * as it would on a GPU, and the launch and copy counters count what a GPU would be asked to do.
 *
 * <p>Switched on by the system property {@value #PROPERTY}{@code =true} or the environment
 * variable {@value #ENVIRONMENT}{@code =1}; it then replaces any real GPU as {@code cuda:0}.
 * Its memory size is {@value #DEFAULT_CAPACITY_MIB} MiB unless {@value #CAPACITY_PROPERTY} gives
 * another number of MiB (the values are held in the Java heap, so the size must fit there).
 */
final class EmulatedDevice implements DeviceRuntime {
    static final String PROPERTY = "descent.cuda.emulate";
    static final String ENVIRONMENT = "DESCENT_CUDA_EMULATE";
    static final String CAPACITY_PROPERTY = "descent.cuda.emulate.mib";
    static final long DEFAULT_CAPACITY_MIB = 512;

    private final HostMemory memory;
    private final CachingAllocator allocator;
    private final ActivityCounters counters = new ActivityCounters();
    /** The kernels recorded so far while capturing a graph, or null when not capturing. */
    private volatile List<Runnable> recorded;

    EmulatedDevice(long capacityBytes) {
        this.memory = new HostMemory(capacityBytes);
        this.allocator = new CachingAllocator(device().toString(), memory);
    }

    /** Whether the user or a test asked for the emulated device. */
    static boolean requested() {
        String property = System.getProperty(PROPERTY);
        if (property != null) {
            return Boolean.parseBoolean(property);
        }
        String environment = System.getenv(ENVIRONMENT);
        return environment != null && (environment.equals("1") || environment.toLowerCase(Locale.ROOT).equals("true"));
    }

    /** The capacity asked for, in bytes. */
    static long requestedCapacity() {
        String value = System.getProperty(CAPACITY_PROPERTY);
        long mib;
        try {
            mib = value == null ? DEFAULT_CAPACITY_MIB : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CAPACITY_PROPERTY + ": expected a number of MiB, got '" + value + "'");
        }
        if (mib <= 0) {
            throw new IllegalArgumentException(CAPACITY_PROPERTY + ": expected a positive number of MiB, got " + mib);
        }
        return mib << 20;
    }

    @Override
    public Device device() {
        return Device.cuda(0);
    }

    @Override
    public CachingAllocator allocator() {
        return allocator;
    }

    @Override
    public ActivityCounters counters() {
        return counters;
    }

    /** The emulated kernels finish before their call returns; a wait is still counted, as a GPU would have to wait. */
    @Override
    public void synchronize() {
        checkNotRecording("waiting for the device");
        counters.synchronization();
    }

    /** Runs one kernel now, or records it while a graph is being captured (as a GPU's stream capture does). */
    void run(int kernels, Runnable kernel) {
        List<Runnable> target = recorded;
        if (target != null) {
            target.add(kernel);
            return;
        }
        for (int i = 0; i < kernels; i++) {
            counters.kernelLaunch();
        }
        kernel.run();
    }


    @Override
    public void beginRecording() {
        recorded = new ArrayList<>();
    }

    @Override
    public boolean recording() {
        return recorded != null;
    }

    @Override
    public Recording endRecording() {
        List<Runnable> kernels = List.copyOf(recorded);
        recorded = null;
        return new Recording() {
            @Override
            public void launch() {
                counters.kernelLaunch();
                for (Runnable kernel : kernels) {
                    kernel.run();
                }
            }

            @Override
            public int kernels() {
                return kernels.size();
            }

            @Override
            public void destroy() {
                // the recorded kernels hold host memory only, which the collector takes back
            }
        };
    }

    @Override
    public void abortRecording() {
        recorded = null;
    }

    @Override
    public String description() {
        return "cuda:0 emulated on the host (" + PROPERTY + "): CPU kernels under the CUDA memory rules, "
                + CachingAllocator.describe(memory.totalBytes());
    }
}
