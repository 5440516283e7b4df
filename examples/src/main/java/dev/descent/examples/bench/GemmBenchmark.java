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
 * FLOAT32 matrix products {@code [M, K] @ [K, N]} in the layouts MLP-BN training runs them, the
 * same products as the PyTorch peer's {@code torch_gemm.py} so the two tables compare case by
 * case: a linear layer keeps W as [out, in], so its forward is {@code x @ W.t()} (both operands
 * contiguous along K), the input gradient {@code g @ W} (both row-major) and the weight gradient
 * {@code g.t() @ x} (the left operand transposed). Plus one large square product, on 1 and 2
 * threads. JMH measures microseconds per product; {@link #main} turns them into GFLOP/s
 * ({@code 2 M K N} floating-point operations per product).
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
    /**
     * Product and M x K x N: {@code fwd} = [M, K] @ [N, K].t(), {@code dX} and {@code square} =
     * [M, K] @ [K, N], {@code dW} = [K, M].t() @ [K, N].
     */
    @Param({"fwd:128x784x512", "dX:128x512x784", "dW:512x128x784", "fwd:128x512x256", "dX:128x256x512", "dW:256x128x512",
        "square:1024x1024x1024"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private NDArray left;
    private NDArray right;

    @Setup
    public void setUp() {
        int[] sizes = sizes(shape);
        int m = sizes[0];
        int k = sizes[1];
        int n = sizes[2];
        Descent.setNumThreads(threads);
        Generator generator = new Generator(1);
        String product = shape.substring(0, shape.indexOf(':'));
        left = product.equals("dW") ? NDArray.randn(generator, k, m).t() : NDArray.randn(generator, m, k);
        right = product.equals("fwd") ? NDArray.randn(generator, n, k).t() : NDArray.randn(generator, k, n);
    }

    /** M, K and N of a case such as {@code fwd:128x784x512}. */
    static int[] sizes(String shape) {
        String[] parts = shape.substring(shape.indexOf(':') + 1).split("x");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    /** Floating-point operations of one product: 2 M K N. */
    static long flops(String shape) {
        int[] sizes = sizes(shape);
        return 2L * sizes[0] * sizes[1] * sizes[2];
    }

    @Benchmark
    public NDArray matmul() {
        return left.matmul(right);
    }

    /** Runs every shape and thread count, then prints a table of GFLOP/s derived from JMH's scores. */
    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder().include(GemmBenchmark.class.getSimpleName() + ".matmul").build();
        Collection<RunResult> results = new Runner(options).run();
        BenchSuite.printGemmTable(results);
    }
}
