package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.Device;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

/** What users see on machines with and without a GPU. */
class CudaAvailabilityTest {

    @Test
    void theProviderIsFoundThroughServiceLoaderAndSaysWhatItFound() {
        String status = Device.cudaStatus();
        assertFalse(status.contains("not on the class path"), status);
        assertFalse(status.isBlank());
    }

    @Test
    void withoutAGpuNothingIsAvailableAndTheReasonIsOneLine() {
        assumeFalse(Device.cudaAvailable(), "a CUDA device is present (or the emulated one was asked for)");
        assertEquals(0, new CudaBackendProvider().deviceCount());
        String status = Device.cudaStatus();
        assertEquals(1, status.lines().count(), status);
        assertTrue(status.contains("driver") || status.contains("device") || status.contains("JCuda"), status);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(3).to(Device.cuda(0)));
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("0 CUDA device"), e.getMessage());
    }

    @Test
    void withAGpuTheStatusNamesTheDeviceAndTheGemmPath() {
        assumeTrue(Device.cudaAvailable() && !EmulatedDevice.requested(), "no CUDA device (or the emulated one was asked for)");
        String status = Device.cudaStatus();
        assertTrue(status.contains("cuda:0") && status.contains("GEMM:"), status);
    }
}
