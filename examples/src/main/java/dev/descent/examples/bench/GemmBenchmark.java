package dev.descent.examples.bench;

import dev.descent.core.Descent;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * FLOAT32 matrix products {@code [M, K] @ [K, N]} at the shapes of the MNIST MLP and a large
 * square one, on 1 and 2 threads. JMH measures microseconds per product; {@link #main} turns
 * them into GFLOP/s ({@code 2 M K N} floating-point operations per product).
 *
 * <pre>
 * mvn -q -B install -DskipTests
 * java -cp examples/target/descent-benchmarks.jar dev.descent.examples.bench.GemmBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class GemmBenchmark {
    /** M x K x N. */
    @Param({"128x784x512", "128x512x256", "784x128x512", "512x128x256", "128x512x784", "128x256x512", "1024x1024x1024"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private NDArray left;
    private NDArray right;

    @Setup
    public void setUp() {
        String[] sizes = shape.split("x");
        int m = Integer.parseInt(sizes[0]);
        int k = Integer.parseInt(sizes[1]);
        int n = Integer.parseInt(sizes[2]);
        Descent.setNumThreads(threads);
        Generator generator = new Generator(1);
        left = NDArray.randn(generator, m, k);
        right = NDArray.randn(generator, k, n);
    }

    @Benchmark
    public NDArray matmul() {
        return left.matmul(right);
    }

    /** Runs every shape and thread count, then prints a table of GFLOP/s derived from JMH's scores. */
    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder().include(GemmBenchmark.class.getSimpleName() + ".matmul").build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.printf("%n%-16s %8s %14s %10s%n", "M x K x N", "threads", "us/product", "GFLOP/s");
        for (RunResult result : results) {
            String shape = result.getParams().getParam("shape");
            String threads = result.getParams().getParam("threads");
            double micros = result.getPrimaryResult().getScore();
            long flops = 2L;
            for (String size : shape.split("x")) {
                flops *= Long.parseLong(size);
            }
            System.out.printf("%-16s %8s %14.1f %10.1f%n", shape, threads, micros, flops / (micros * 1e3));
        }
    }
}
