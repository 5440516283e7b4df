package dev.descent.examples.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code ./descent bench}: the speed figures of Descent in one run, with JMH. Prints
 * <ol>
 *   <li>GEMM GFLOP/s at the shapes that dominate MLP-BN training (forward and both backward
 *       products) and a large square, on 1 and 2 threads;</li>
 *   <li>the fused optimizer steps against their memory floor (a copy of every array the step
 *       writes) and the bandwidth that implies;</li>
 *   <li>the fused batch-norm kernels, forward and backward, against a copy of as many bytes;</li>
 *   <li>the MLP-BN training epoch (the median of four after one warm-up);</li>
 *   <li>the machine's float32 peak, measured ({@link PeakBenchmark}): FMA throughput on one and
 *       two cores, the clock, and the FLOP per cycle they imply.</li>
 * </ol>
 * Arguments: {@code peak}, {@code gemm}, {@code optimizer}, {@code norm}, {@code epoch} to run only some
 * (default: all); {@code collectives} (only when named: about eight minutes on 2 cores) runs
 * {@link CollectiveBenchmark}, TCP all-reduce over loopback against one TCP stream, and writes its
 * table to {@code collectives-bandwidth.csv} for {@code tools/CollectivesChart.java}; {@code conv}
 * (only when named) runs {@link ConvBenchmark}, the CNN's two convolutions beside the GEMMs of the
 * same products.
 */
public final class BenchSuite {
    /** The MLP-BN parameter count of {@link OptimizerStepBenchmark}. */
    static final long PARAMETERS = 537_354;

    private BenchSuite() {
    }

    /**
     * Arrays each step reads or writes once per parameter element: SGD reads the parameter and the
     * gradient and writes the parameter (3); momentum adds the buffer's read and write (5); Adam
     * reads parameter, gradient and both moments and writes parameter and both moments (7).
     */
    static int arraysTouched(String optimizer) {
        return switch (optimizer) {
            case "sgd" -> 3;
            case "sgdMomentum" -> 5;
            default -> 7;
        };
    }

    public static void main(String[] args) throws RunnerException, java.io.IOException {
        List<String> parts = args.length == 0 ? List.of("peak", "gemm", "optimizer", "norm", "epoch") : List.of(args);
        for (String part : parts) {
            switch (part) {
                case "peak" -> peak();
                case "gemm" -> gemm();
                case "optimizer" -> optimizer();
                case "norm" -> norm();
                case "epoch" -> epoch();
                case "collectives" -> CollectiveBenchmark.report(run(CollectiveBenchmark.class.getSimpleName()));
                case "conv" -> ConvBenchmark.report(run(ConvBenchmark.class.getSimpleName()));
                default -> {
                    System.err.println("descent bench: unknown part '" + part + "' (parts: peak, gemm, optimizer, norm, epoch, collectives, conv)");
                    System.exit(2);
                }
            }
        }
    }

    private static Collection<RunResult> run(String include) throws RunnerException {
        Options options = new OptionsBuilder().include(include).shouldFailOnError(true).build();
        return new Runner(options).run();
    }

    /**
     * FMA GFLOP/s on one and two cores, and the clock from a chain of dependent additions, assuming
     * the 3-cycle float add latency of AMD Zen 2 to 4 (Intel since Skylake: 4, so multiply the
     * clock by 4/3 there).
     */
    static void peak() throws RunnerException {
        Map<String, Double> micros = new TreeMap<>();
        for (RunResult result : run(PeakBenchmark.class.getSimpleName())) {
            micros.put(result.getPrimaryResult().getLabel(), result.getPrimaryResult().getScore());
        }
        double oneCore = PeakBenchmark.fmaFlops() / (micros.get("fusedMultiplyAdds") * 1e3);
        double twoCores = 2 * PeakBenchmark.fmaFlops() / (micros.get("fusedMultiplyAddsTwoCores") * 1e3);
        double gigahertz = 3.0 * PeakBenchmark.TRIPS / (micros.get("dependentAdds") * 1e3);
        System.out.printf("%nfloat32 peak, measured: %d-lane vectors; FMA %.1f GFLOP/s on one core, %.1f on two;"
                + " clock %.2f GHz (3-cycle add) -> %.1f FLOP/cycle per core%n", PeakBenchmark.SPECIES.length(), oneCore, twoCores,
                gigahertz, oneCore / gigahertz);
    }

    static void gemm() throws RunnerException {
        printGemmTable(run(GemmBenchmark.class.getSimpleName() + ".matmul"));
    }

    /** GFLOP/s per product and thread count, in the order of {@code torch_gemm.py}'s table. */
    static void printGemmTable(Collection<RunResult> results) {
        System.out.printf("%nGEMM, float32 [M, K] @ [K, N]; fwd = x @ W.t(), dX = g @ W, dW = g.t() @ x%n%-22s %8s %14s %10s%n",
                "product:M x K x N", "threads", "us/product", "GFLOP/s");
        for (RunResult result : results) {
            String shape = result.getParams().getParam("shape");
            double micros = result.getPrimaryResult().getScore();
            System.out.printf("%-22s %8s %14.1f %10.1f%n", shape, result.getParams().getParam("threads"), micros,
                    GemmBenchmark.flops(shape) / (micros * 1e3));
        }
    }

    static void optimizer() throws RunnerException {
        Collection<RunResult> results = run(OptimizerStepBenchmark.class.getSimpleName());
        Map<String, double[]> rows = new TreeMap<>();
        for (RunResult result : results) {
            String key = result.getParams().getParam("optimizer") + " / " + result.getParams().getParam("threads");
            double[] row = rows.computeIfAbsent(key, k -> new double[2]);
            boolean step = result.getPrimaryResult().getLabel().equals("optimizerStep");
            row[step ? 0 : 1] = result.getPrimaryResult().getScore();
        }
        System.out.printf("%nFused optimizer steps over MLP-BN's %,d float32 parameters vs the copy floor%n%-22s %10s %10s %7s %9s %8s%n",
                PARAMETERS, "optimizer / threads", "step us", "floor us", "ratio", "MB moved", "GB/s");
        rows.forEach((key, row) -> {
            double bytes = 4.0 * PARAMETERS * arraysTouched(key.substring(0, key.indexOf(' ')));
            System.out.printf("%-22s %10.1f %10.1f %7.2f %9.1f %8.1f%n", key, row[0], row[1], row[0] / row[1], bytes / 1e6,
                    bytes / (row[0] * 1e3));
        });
    }

    /** Batch norm forward and backward at [128, 512]: time, the copy floor of the same bytes, bandwidth. */
    static void norm() throws RunnerException {
        Map<String, Map<String, Double>> byThreads = new TreeMap<>();
        for (RunResult result : run(BatchNormBenchmark.class.getSimpleName())) {
            byThreads.computeIfAbsent(result.getParams().getParam("threads"), t -> new TreeMap<>())
                    .put(result.getPrimaryResult().getLabel(), result.getPrimaryResult().getScore());
        }
        double arrayBytes = 4.0 * BatchNormBenchmark.ROWS * BatchNormBenchmark.COLUMNS;
        System.out.printf("%nFused batch norm, float32 [%d, %d]; floor = copying the bytes the kernel must move%n%-20s %10s %10s %7s %8s%n",
                BatchNormBenchmark.ROWS, BatchNormBenchmark.COLUMNS, "kernel / threads", "us", "floor us", "ratio", "GB/s");
        byThreads.forEach((threads, scores) -> {
            double copyMicros = scores.get("copyFloor");
            for (String kernel : List.of("forward", "backward")) {
                int arrays = kernel.equals("forward") ? BatchNormBenchmark.FORWARD_ARRAYS : BatchNormBenchmark.BACKWARD_ARRAYS;
                double floor = copyMicros * arrays / 2;
                double micros = scores.get(kernel);
                System.out.printf("%-20s %10.1f %10.1f %7.2f %8.1f%n", kernel + " / " + threads, micros, floor, micros / floor,
                        arrays * arrayBytes / (micros * 1e3));
            }
        });
    }

    static void epoch() throws RunnerException {
        Collection<RunResult> results = run(EpochBenchmark.class.getSimpleName());
        for (RunResult result : results) {
            List<Double> epochs = new ArrayList<>();
            for (BenchmarkResult benchmark : result.getBenchmarkResults()) {
                for (IterationResult iteration : benchmark.getIterationResults()) {
                    epochs.add(iteration.getPrimaryResult().getScore());
                }
            }
            List<Double> sorted = new ArrayList<>(epochs);
            sorted.sort(null);
            double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            System.out.printf("%nMLP-BN training epoch (Adam, batch 128, %s threads): epochs after warm-up %s s, median %.2f s%n",
                    result.getParams().getParam("threads"), epochs.stream().map(v -> String.format("%.2f", v)).toList(), median);
        }
    }
}
