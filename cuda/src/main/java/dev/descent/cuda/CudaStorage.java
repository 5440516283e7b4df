package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.MemoryScope;
import dev.descent.core.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * A storage in device memory: one block of the device's {@link CachingAllocator}. The block goes
 * back to the cache when the storage is released ({@link CudaMemory#release} or a closing
 * {@link MemoryScope}) or, as a safety net, when the garbage collector finds the storage
 * unreachable. On a real GPU the contents are at a device pointer; on the emulated device they
 * are a host storage, with exactly the same allocation and release rules.
 */
final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final DeviceRuntime owner;
    private final DType dtype;
    private final int size;
    private final CUdeviceptr pointer;
    private volatile Storage host;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    private CudaStorage(DeviceRuntime owner, DType dtype, int size, CachingAllocator.Block block, CUdeviceptr pointer, Storage host) {
        this.owner = owner;
        this.dtype = dtype;
        this.size = size;
        this.pointer = pointer;
        this.host = host;
        CachingAllocator allocator = owner.allocator();
        // the action must not reach this storage, or it would never become unreachable
        this.cleanable = CLEANER.register(this, () -> allocator.release(block));
        MemoryScope.track(this);
    }

    /** A storage in a block of a real GPU's memory. */
    static CudaStorage onGpu(CudaDevice device, DType dtype, int size, CachingAllocator.Block block) {
        return new CudaStorage(device, dtype, size, block, device.memory().pointer(block.address()), null);
    }

    /** A storage of the emulated device: the block is accounted for by its allocator, the values live in {@code host}. */
    static CudaStorage emulated(EmulatedDevice device, DType dtype, int size, CachingAllocator.Block block, Storage host) {
        return new CudaStorage(device, dtype, size, block, null, host);
    }

    @Override
    public Device device() {
        return owner.device();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int size() {
        return size;
    }

    DeviceRuntime owner() {
        return owner;
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

    /** The host memory behind an emulated device's storage. */
    Storage host() {
        checkLive();
        return host;
    }

    /** A released block may already belong to another array: using it would read that array's values. */
    private void checkLive() {
        if (released) {
            throw new IllegalStateException("a " + dtype + " array of " + size + " elements on " + owner.device()
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
        host = null;   // the emulated device's values go with the block, as a GPU's would be overwritten
        cleanable.clean();
    }
}
