package dev.descent.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/** {@link DeviceMemory} from the driver; the calling thread must have the device's context current. */
final class DriverMemory implements DeviceMemory {
    /** A device pointer whose address the allocator can key its lists by. */
    static final class Allocation extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    private final CudaDevice device;
    private final Map<Long, Allocation> allocations = new ConcurrentHashMap<>();

    DriverMemory(CudaDevice device) {
        this.device = device;
    }

    @Override
    public long allocate(long bytes) {
        device.makeCurrent();
        Allocation pointer = new Allocation();
        try {
            cuMemAlloc(pointer, bytes);
        } catch (CudaException e) {
            if (e.getMessage() != null && e.getMessage().contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) {
                return 0;
            }
            throw e;
        }
        allocations.put(pointer.address(), pointer);
        return pointer.address();
    }

    @Override
    public void free(long address) {
        device.makeCurrent();
        cuMemFree(allocations.remove(address));
    }

    /** The pointer to an address {@link #allocate} returned. */
    CUdeviceptr pointer(long address) {
        return allocations.get(address);
    }

    @Override
    public long freeBytes() {
        return info()[0];
    }

    @Override
    public long totalBytes() {
        return info()[1];
    }

    private long[] info() {
        device.makeCurrent();
        long[] free = {0};
        long[] total = {0};
        cuMemGetInfo(free, total);
        return new long[] {free[0], total[0]};
    }
}
