package dev.descent.examples;

import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.MemoryScope;
import dev.descent.core.NDArray;
import dev.descent.cuda.CudaMemory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code descent doctor}: what this machine gives Descent (Java, cores, SIMD kernels, CUDA devices
 * and their GEMM path) and the float32 matrix-product rate on each device, for a large square
 * product and the six products of an MLP-BN training step, in the layouts training uses (a
 * {@code Linear} keeps its weight as [out, in]). A quick check, not a benchmark: {@code descent
 * bench} is.
 */
final class DoctorCommand {
    /** One timed product: C [m, n] = op(A) op(B) over depth k, named as the GPU kit's cuBLAS reference names it. */
    private record Product(String name, int m, int k, int n, boolean transposeA, boolean transposeB) {
        String describe() {
            return String.format("%-18s [%d, %d] @ [%d, %d]%s", name, m, k, k, n,
                    transposeA ? " (A transposed)" : transposeB ? " (B transposed)" : "");
        }
    }

    private static final List<Product> PRODUCTS = List.of(
            new Product("1024x1024x1024", 1024, 1024, 1024, false, false),
            new Product("128x784x512 x@W.t", 128, 784, 512, false, true),
            new Product("128x512x784 g@W", 128, 512, 784, false, false),
            new Product("512x128x784 g.t@x", 512, 128, 784, true, false),
            new Product("128x512x256 x@W.t", 128, 512, 256, false, true),
            new Product("128x256x512 g@W", 128, 256, 512, false, false),
            new Product("256x128x512 g.t@x", 256, 128, 512, true, false));

    private DoctorCommand() {
    }

    static int run(List<String> args, PrintStream out) throws IOException {
        CommandLine line = new CommandLine("doctor", "Java, cores, SIMD kernels, CUDA devices, and matrix-product GFLOP/s on each device.")
                .flag("seconds", "0.5", "how long to time each product")
                .flag("json", null, "also write the rates as JSON ({device: {product: GFLOP/s}}) to this file")
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
        Map<String, Map<String, Double>> rates = new LinkedHashMap<>();
        for (Device device : devices) {
            Map<String, Double> perProduct = new LinkedHashMap<>();
            for (Product product : PRODUCTS) {
                double rate = gflops(device, product, seconds);
                perProduct.put(product.name(), rate);
                out.printf("%s  float32 %s: %.1f GFLOP/s%n", device, product.describe(), rate);
            }
            rates.put(device.toString(), perProduct);
            if (!device.equals(Device.CPU)) {
                out.println(device + "  memory: " + CudaMemory.statistics(device));
            }
        }
        if (line.string("json") != null) {
            RunFiles.writeJson(Path.of(line.string("json")), rates);
        }
        return 0;
    }

    /**
     * Products per second times 2 M K N: a few warm-up products, then rounds of products until
     * {@code seconds} have passed. Device work is asynchronous, so each round ends by reading one
     * element of its last product, which waits for every product queued before it; a round is
     * long enough (about a tenth of the budget) that this wait is a small part of it.
     */
    private static double gflops(Device device, Product product, double seconds) {
        Generator generator = new Generator(0);
        NDArray a = operand(generator, product.m(), product.k(), product.transposeA(), device);
        NDArray b = operand(generator, product.k(), product.n(), product.transposeB(), device);
        round(a, b, 3);
        long budget = (long) (seconds * 1e9);
        int perRound = 1;
        long count = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < budget) {
            long roundStart = System.nanoTime();
            round(a, b, perRound);
            count += perRound;
            if (System.nanoTime() - roundStart < budget / 10) {
                perRound = Math.min(perRound * 2, 1 << 14);
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return 2.0 * product.m() * product.k() * product.n() * count / elapsed / 1e9;
    }

    /** A [rows, columns] operand, stored transposed (a view of a [columns, rows] array) when asked, as a Linear's weight is. */
    private static NDArray operand(Generator generator, int rows, int columns, boolean transposed, Device device) {
        return transposed ? NDArray.randn(generator, columns, rows).to(device).transpose(0, 1)
                : NDArray.randn(generator, rows, columns).to(device);
    }

    /** {@code count} products, then one element of the last read back; on a device their memory is returned when the round ends. */
    private static void round(NDArray a, NDArray b, int count) {
        try (MemoryScope scope = MemoryScope.open()) {
            NDArray last = null;
            for (int i = 0; i < count; i++) {
                last = a.matmul(b);
            }
            last.reshape(-1).narrow(0, 0, 1).item();
        }
    }
}
