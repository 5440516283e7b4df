package dev.descent.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.List;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;

/**
 * One GPU: its primary context (made current on whichever thread uses the device), its one
 * stream (every launch and copy is queued there, so work runs in call order and only reads to
 * the host wait), the kernels of our PTX modules, the caching allocator and the GEMM path.
 */
final class CudaDevice implements DeviceRuntime {
    static final int THREADS = 256;
    /** Enough blocks of {@link #THREADS} to fill any current GPU; grid-stride loops cover the rest. */
    static final int MAX_BLOCKS = 65536;
    private static final String[] MODULES = {"elementwise", "reduce", "indexing", "random", "gemm", "fused", "convolution"};

    private final Device device;
    private final CUdevice handle = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final String name;
    private final long totalMemory;
    private final int driverVersion;
    private final DriverMemory memory;
    private final CachingAllocator allocator;
    private final CudaGemm gemm;
    private final ActivityCounters counters = new ActivityCounters();
    /** While recording: the device array of random keys the recorded fills read, and whose generator draws each. */
    private NDArray recordingKeys;
    private List<Generator> recordingKeyGenerators;
    private volatile boolean recording;
    /** Kernels, memsets and copies queued into the recording under way. */
    private int recordedKernels;
    /** Random fills one recording may hold. */
    static final int RECORDED_RANDOM_FILLS = 256;

    CudaDevice(int index) {
        this.device = Device.cuda(index);
        cuDeviceGet(handle, index);
        cuDevicePrimaryCtxRetain(context, handle);
        makeCurrent();
        cuStreamCreate(stream, 0);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, handle);
        int length = 0;
        while (length < nameBytes.length && nameBytes[length] != 0) {
            length++;
        }
        this.name = new String(nameBytes, 0, length, StandardCharsets.US_ASCII);
        long[] total = {0};
        cuDeviceTotalMem(total, handle);
        this.totalMemory = total[0];
        int[] version = {0};
        cuDriverGetVersion(version);
        this.driverVersion = version[0];
        this.memory = new DriverMemory(this);
        this.allocator = new CachingAllocator(device.toString(), memory);
        for (String module : MODULES) {
            load(module);
        }
        this.gemm = CudaGemm.create(this);
    }

    @Override
    public Device device() {
        return device;
    }

    DriverMemory memory() {
        return memory;
    }

    @Override
    public CachingAllocator allocator() {
        return allocator;
    }

    @Override
    public ActivityCounters counters() {
        return counters;
    }

    CudaGemm gemm() {
        return gemm;
    }

    CUstream stream() {
        return stream;
    }

    /** "cuda:0 NVIDIA H100 80GB HBM3, 79.1 GiB, driver for CUDA 13.0, GEMM: ..." */
    @Override
    public String description() {
        return String.format("%s %s, %s, driver for CUDA %s, GEMM: %s", device, name, CachingAllocator.describe(totalMemory),
                PtxRequirement.release(driverVersion), gemm.description());
    }

    /** Binds the device's context to the calling thread (once per thread). */
    void makeCurrent() {
        if (!current.get()) {
            cuCtxSetCurrent(context);
            current.set(true);
        }
    }

    /** Waits for everything queued on the device's stream. */
    @Override
    public void synchronize() {
        checkNotRecording("waiting for the device");
        counters.synchronization();
        makeCurrent();
        cuStreamSynchronize(stream);
    }

    @Override
    public void beginRecording() {
        // the keys' array is made before the capture (and outside any memory scope): the recording owns it
        recordingKeys = MemoryScope.collect(() -> NDArray.empty(DType.FLOAT64, new int[] {RECORDED_RANDOM_FILLS}, device)).withoutOwner();
        recordingKeyGenerators = new ArrayList<>();
        recordedKernels = 0;
        makeCurrent();
        // relaxed: the caching allocator may still take fresh memory from the driver while recording
        cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
        recording = true;
    }

    @Override
    public boolean recording() {
        return recording;
    }

    /** Counts a launch or device-side copy queued outside a recording (recorded ones count when their graph launches). */
    void countLaunch() {
        if (recording) {
            recordedKernels++;
        } else {
            counters.kernelLaunch();
        }
    }

    /**
     * The device address a recorded random fill reads its key from; {@code generator} draws the
     * key before every launch, in the order the fills were recorded, as the eager fills would.
     */
    Pointer recordedKey(Generator generator) {
        if (recordingKeyGenerators.size() == RECORDED_RANDOM_FILLS) {
            throw new IllegalStateException(device + ": more than " + RECORDED_RANDOM_FILLS + " random fills in one captured graph");
        }
        recordingKeyGenerators.add(generator);
        return ((CudaStorage) recordingKeys.storage()).pointer(recordingKeyGenerators.size() - 1);
    }

    @Override
    public Recording endRecording() {
        makeCurrent();
        CUgraph graph = new CUgraph();
        recording = false;
        CUgraphExec executable = new CUgraphExec();
        try {
            cuStreamEndCapture(stream, graph);
        } catch (RuntimeException e) {   // the capture was invalidated (work the graph cannot hold): nothing to keep
            recordingKeys.storage().release();
            throw e;
        }
        try {
            cuGraphInstantiate(executable, graph, 0);
        } catch (RuntimeException e) {
            cuGraphDestroy(graph);
            recordingKeys.storage().release();
            throw e;
        }
        NDArray keys = recordingKeys;
        List<Generator> generators = List.copyOf(recordingKeyGenerators);
        recordingKeys = null;
        recordingKeyGenerators = null;
        long[] keyValues = new long[generators.size()];
        int kernels = recordedKernels;
        return new Recording() {
            @Override
            public void launch() {
                makeCurrent();
                if (!generators.isEmpty()) {
                    for (int i = 0; i < keyValues.length; i++) {
                        keyValues[i] = generators.get(i).nextLong();
                    }
                    counters.hostToDevice(8L * keyValues.length);
                    // pageable memory: the driver stages the keys before returning, so the array may change afterwards
                    cuMemcpyHtoDAsync(((CudaStorage) keys.storage()).pointer(), Pointer.to(keyValues), 8L * keyValues.length, stream);
                }
                counters.kernelLaunch();
                cuGraphLaunch(executable, stream);
            }

            @Override
            public int kernels() {
                return kernels;
            }

            @Override
            public void destroy() {
                makeCurrent();
                cuGraphExecDestroy(executable);
                cuGraphDestroy(graph);
                keys.storage().release();
            }
        };
    }

    @Override
    public void abortRecording() {
        recording = false;
        makeCurrent();
        CUgraph graph = new CUgraph();
        try {
            cuStreamEndCapture(stream, graph);   // an invalidated capture reports an error here; the stream is free again either way
            cuGraphDestroy(graph);
        } catch (RuntimeException ignored) {
            // nothing was captured worth keeping
        }
        if (recordingKeys != null) {
            recordingKeys.storage().release();
        }
        recordingKeys = null;
        recordingKeyGenerators = null;
    }

    private void load(String module) {
        String ptx;
        try (InputStream in = CudaDevice.class.getResourceAsStream("ptx/" + module + ".ptx")) {
            if (in == null) {
                throw new IllegalStateException("CUDA kernels '" + module + "' missing from the descent-cuda jar (ptx/" + module + ".ptx)");
            }
            ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CUmodule loaded = new CUmodule();
        try {
            cuModuleLoadData(loaded, ptx);
        } catch (CudaException e) {
            throw new IllegalStateException(PtxRequirement.of(ptx).refusal(module, driverVersion, e.getMessage()), e);
        }
        for (String line : ptx.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith(".visible .entry ")) {
                String kernel = trimmed.substring(".visible .entry ".length()).replaceAll("\\(.*", "").trim();
                CUfunction function = new CUfunction();
                cuModuleGetFunction(function, loaded, kernel);
                functions.put(kernel, function);
            }
        }
    }

    /** Blocks for a grid-stride loop over {@code n} elements. */
    static int blocksFor(long n) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS));
    }

    /**
     * Queues kernel {@code name} on the stream with a 1-d grid. Arguments: {@link CudaStorage}
     * (its device pointer), {@link Pointer} (passed as is, e.g. a pointer with an offset, or
     * null), {@code Integer}, {@code Long}, {@code Float}, {@code Double} and {@code int[]} (a
     * struct of ints by value, such as a packed {@link StridedLayout}).
     */
    void launch(String name, int blocks, int threads, Object... arguments) {
        launchGrid(name, blocks, 1, 1, threads, arguments);
    }

    /** As {@link #launch(String, int, int, Object...)} with a 3-d grid. */
    void launchGrid(String name, int blocksX, int blocksY, int blocksZ, int threads, Object... arguments) {
        CUfunction function = functions.get(name);
        if (function == null) {
            throw new IllegalArgumentException("no CUDA kernel named " + name);
        }
        NativePointerObject[] parameters = new NativePointerObject[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            parameters[i] = parameter(arguments[i]);
        }
        makeCurrent();
        countLaunch();
        cuLaunchKernel(function, blocksX, blocksY, blocksZ, threads, 1, 1, 0, stream, Pointer.to(parameters), null);
    }

    private static Pointer parameter(Object argument) {
        if (argument == null) {
            return Pointer.to(new long[] {0});  // a null device pointer
        }
        if (argument instanceof CudaStorage storage) {
            return Pointer.to(storage.pointer());
        }
        if (argument instanceof Pointer pointer) {
            return Pointer.to(pointer);
        }
        if (argument instanceof Integer value) {
            return Pointer.to(new int[] {value});
        }
        if (argument instanceof Long value) {
            return Pointer.to(new long[] {value});
        }
        if (argument instanceof Float value) {
            return Pointer.to(new float[] {value});
        }
        if (argument instanceof Double value) {
            return Pointer.to(new double[] {value});
        }
        if (argument instanceof int[] struct) {
            return Pointer.to(struct);
        }
        if (argument instanceof long[] struct) {
            return Pointer.to(struct);
        }
        throw new IllegalArgumentException("kernel argument of unsupported type " + argument.getClass().getSimpleName());
    }
}
