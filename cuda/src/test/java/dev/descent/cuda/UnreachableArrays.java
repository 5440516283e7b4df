package dev.descent.cuda;

import dev.descent.core.Device;

/**
 * For tests that compare the device memory in use before and after some work: device arrays that
 * earlier tests dropped without releasing are freed by their Cleaner when a collection finds
 * them, so a collection in the middle of a measurement lowers "memory in use" by blocks the work
 * never touched (seen: 359 blocks freed during ConvolutionOnDeviceTest's measurement on CI).
 */
final class UnreachableArrays {
    private UnreachableArrays() {
    }

    /** Collects until a round frees nothing more on {@code device} (at most 20 rounds). */
    static void release(Device device) {
        long held = -1;
        for (int round = 0; round < 20 && CudaMemory.statistics(device).allocatedBytes() != held; round++) {
            held = CudaMemory.statistics(device).allocatedBytes();
            System.gc();
            try {
                Thread.sleep(20);   // the Cleaner's thread does the releasing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
