package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * A storage in device memory: one block of the device's {@link CachingAllocator}. The block goes
 * back to the cache when the storage is released ({@link CudaMemory#release}) or, as a safety
 * net, when the garbage collector finds the storage unreachable.
 */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaDevice device;
    private final DType dtype;
    private final int size;
    private final CachingAllocator.Block block;
    private final CUdeviceptr pointer;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaDevice device, DType dtype, int size, CachingAllocator.Block block) {
        this.device = device;
        this.dtype = dtype;
        this.size = size;
        this.block = block;
        this.pointer = device.memory().pointer(block.address());
        CachingAllocator allocator = device.allocator();
        // the action must not reach this storage, or it would never become unreachable
        this.cleanable = CLEANER.register(this, () -> allocator.release(block));
    }

    @Override
    public Device device() {
        return device.device();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    CudaDevice cudaDevice() {
        return device;
    }

    /** The device pointer to element 0. */
    CUdeviceptr pointer() {
        return pointer;
    }

    /** The device pointer to element {@code index}. */
    CUdeviceptr pointer(long index) {
        return pointer.withByteOffset(index * dtype.byteSize());
    }

    long bytes() {
        return (long) size * dtype.byteSize();
    }

    /** Returns the memory to the cache now; later use of this storage is a bug. Idempotent. */
    void release() {
        cleanable.clean();
    }
}
