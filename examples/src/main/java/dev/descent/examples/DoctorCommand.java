package dev.descent.examples;

import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.cuda.CudaMemory;
import dev.descent.core.MemoryScope;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code descent doctor}: what this machine gives Descent (Java, cores, SIMD kernels, CUDA devices
 * and their GEMM path) and the float32 matrix-product rate on each device, for a large square
 * product and MLP-BN's largest layer. A quick check, not a benchmark: {@code descent bench} is.
 */
final class DoctorCommand {
    /** (M, K, N) of the products timed: a square one near peak, and MLP-BN's x @ W at batch 128. */
    private static final int[][] SHAPES = {{1024, 1024, 1024}, {128, 784, 512}};

    private DoctorCommand() {
    }

    static int run(List<String> args, PrintStream out) {
        CommandLine line = new CommandLine("doctor", "Java, cores, SIMD kernels, CUDA devices, and matrix-product GFLOP/s on each device.")
                .flag("seconds", "0.5", "how long to time each product")
                .parse(args);
        if (line.helpRequested()) {
            out.print(line.usage());
            return 0;
        }
        double seconds = line.real("seconds");
        if (!(seconds > 0 && seconds <= 60)) {
            throw new UsageException("doctor: --seconds must be in (0, 60], got " + seconds);
        }
        out.printf("java %s (%s), %d cores, Descent threads %d%n", Runtime.version(), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(), Descent.numThreads());
        out.println("CPU kernels: " + (Descent.simdKernels() ? "SIMD (jdk.incubator.vector)"
                : "plain Java (run with --add-modules jdk.incubator.vector for the SIMD ones)"));
        out.println("CUDA: " + Device.cudaStatus());
        List<Device> devices = new ArrayList<>(List.of(Device.CPU));
        if (Device.cudaAvailable()) {
            devices.add(Device.cuda(0));
        }
        for (Device device : devices) {
            for (int[] shape : SHAPES) {
                out.printf("%s  float32 [%d, %d] @ [%d, %d]: %.1f GFLOP/s%n", device, shape[0], shape[1], shape[1], shape[2],
                        gflops(device, shape[0], shape[1], shape[2], seconds));
            }
            if (!device.equals(Device.CPU)) {
                out.println(device + "  memory: " + CudaMemory.statistics(device));
            }
        }
        return 0;
    }

    /**
     * Products per second times 2 M K N: a few warm-up products, then as many as fit in {@code
     * seconds}. Device work is asynchronous, so the clock stops after reading one element back,
     * which waits for every product queued before it.
     */
    private static double gflops(Device device, int m, int k, int n, double seconds) {
        Generator generator = new Generator(0);
        NDArray a = NDArray.randn(generator, m, k).to(device);
        NDArray b = NDArray.randn(generator, k, n).to(device);
        boolean gpu = !device.equals(Device.CPU);
        for (int i = 0; i < 3; i++) {
            product(a, b, gpu);
        }
        long budget = (long) (seconds * 1e9);
        long start = System.nanoTime();
        long count = 0;
        while (System.nanoTime() - start < budget) {
            // a batch of products per clock reading, so the read-back is a small part of the time
            for (int i = 0; i < 10; i++) {
                product(a, b, gpu);
            }
            count += 10;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return 2.0 * m * k * n * count / elapsed / 1e9;
    }

    /** One product, read back as one element (which waits for it on a GPU); its memory is returned at once there. */
    private static void product(NDArray a, NDArray b, boolean gpu) {
        try (MemoryScope scope = gpu ? MemoryScope.open() : null) {
            a.matmul(b).reshape(-1).narrow(0, 0, 1).item();
        }
    }
}
