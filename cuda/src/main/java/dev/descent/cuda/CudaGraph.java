package dev.descent.cuda;

import dev.descent.core.Device;

/**
 * A stretch of device work captured once and replayed, as {@code torch.cuda.CUDAGraph}: the
 * kernels a training step queues (a few hundred small ones) are recorded through a CUDA stream
 * capture ({@code cuStreamBeginCapture} ... {@code cuGraphInstantiate}) and each replay is one
 * {@code cuGraphLaunch}, so the Java code that issued them, and the launch cost of each, is paid
 * once. On the emulated device the kernels are recorded as closures and replayed in order.
 *
 * <pre>{@code
 * NDArray x = NDArray.empty(DType.FLOAT32, new int[] {128, 784}, gpu);   // static input, made before
 * try (CudaGraph step = CudaGraph.capture(gpu, () -> { ... forward, loss, backward on x ... })) {
 *     for (Batch batch : loader) {
 *         x.copyFrom(batch.input().data());   // new values, same memory
 *         step.replay();                      // the recorded kernels, on the new values
 *     }
 * }
 * }</pre>
 *
 * What a replay repeats is exactly what was recorded: the same arrays (every array the work
 * allocated stays reserved for the graph until it is closed), the same shapes, the same scalar
 * arguments. So the work must not read values back to the host or upload from it (capturing
 * fails with {@link IllegalStateException}, and the device is usable again); scalars that change
 * from step to step must live in device memory; random fills draw their keys from their generator
 * anew before each replay, in recorded order, as eager steps would. Run the work once eagerly
 * before capturing it (as with PyTorch's warm-up iterations): first uses make things that live on,
 * such as the device's cached scalar constants, and they are uploaded, which a capture refuses.
 * Capturing records without running: the first replay runs the work for the first time. One thread
 * captures and replays, and no other thread may queue work on the device during a capture (it
 * would be recorded too): a data loader feeding a GPU assembles its batches on the caller's thread.
 */
public final class CudaGraph implements AutoCloseable {
    private final DeviceRuntime runtime;
    private final CachingAllocator.GraphPool pool;
    private final DeviceRuntime.Recording recording;
    private boolean closed;

    private CudaGraph(DeviceRuntime runtime, CachingAllocator.GraphPool pool, DeviceRuntime.Recording recording) {
        this.runtime = runtime;
        this.pool = pool;
        this.recording = recording;
    }

    /**
     * Records what {@code work} queues on {@code device} without running it. If the work fails
     * (a read-back, an upload, any exception), the capture is discarded, its memory released, and
     * the failure rethrown as an {@link IllegalStateException} naming the device.
     */
    public static CudaGraph capture(Device device, Runnable work) {
        DeviceRuntime runtime = CudaBackendProvider.runtime(device);
        CachingAllocator allocator = runtime.allocator();
        CachingAllocator.GraphPool pool = allocator.beginCapture();
        try {
            runtime.beginRecording();
        } catch (RuntimeException e) {
            allocator.endCapture();
            allocator.closePool(pool);
            throw e;
        }
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            runtime.abortRecording();
            allocator.endCapture();
            allocator.closePool(pool);
            throw new IllegalStateException("CudaGraph.capture on " + device + ": the work cannot be captured: " + e.getMessage(), e);
        }
        DeviceRuntime.Recording recording;
        try {
            recording = runtime.endRecording();
        } catch (RuntimeException e) {
            allocator.closePool(pool);
            throw new IllegalStateException("CudaGraph.capture on " + device + ": the captured work did not instantiate: " + e.getMessage(), e);
        } finally {
            allocator.endCapture();
        }
        return new CudaGraph(runtime, pool, recording);
    }

    /** Runs the recorded work once more (one launch on a GPU). */
    public void replay() {
        if (closed) {
            throw new IllegalStateException("CudaGraph.replay on " + runtime.device() + ": the graph was closed");
        }
        recording.launch();
    }

    /** How many kernels one replay runs. */
    public int kernels() {
        return recording.kernels();
    }

    /** Frees the graph; the memory its work allocated returns to the allocator (arrays still held keep theirs until released). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        runtime.synchronize();   // a replay still running reads the memory about to be handed out again
        recording.destroy();
        runtime.allocator().closePool(pool);
    }
}
