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
final class CudaStorage implements Storage, MemoryScope.Tracked {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaDevice device;
    private final DType dtype;
    private final int size;
    private final CachingAllocator.Block block;
    private final CUdeviceptr pointer;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    CudaStorage(CudaDevice device, DType dtype, int size, CachingAllocator.Block block) {
        this.device = device;
        this.dtype = dtype;
        this.size = size;
        this.block = block;
        this.pointer = device.memory().pointer(block.address());
        CachingAllocator allocator = device.allocator();
        // the action must not reach this storage, or it would never become unreachable
        this.cleanable = CLEANER.register(this, () -> allocator.release(block));
        MemoryScope.track(this);
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
        checkLive();
        return pointer;
    }

    /** The device pointer to element {@code index}. */
    CUdeviceptr pointer(long index) {
        checkLive();
        return pointer.withByteOffset(index * dtype.byteSize());
    }

    /** A released block may already belong to another array: using it would read that array's values. */
    private void checkLive() {
        if (released) {
            throw new IllegalStateException("a " + dtype + " array of " + size + " elements on " + device.device()
                    + " is used after its memory was released (by CudaMemory.release or a closed MemoryScope)");
        }
    }

    long bytes() {
        return (long) size * dtype.byteSize();
    }

    /** Returns the memory to the cache now; later use of this storage is a bug. Idempotent. */
    @Override
    public void release() {
        released = true;
        cleanable.clean();
    }
}
