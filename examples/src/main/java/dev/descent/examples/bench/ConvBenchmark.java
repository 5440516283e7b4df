package dev.descent.examples.bench;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Descent;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.Conv2d;
import java.util.Collection;
import java.util.TreeMap;
import java.util.Map;
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
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Conv2d forward and forward+backward, float32, at the shapes of {@code descent mnist --model cnn}
 * ({@code MnistCnn}: conv 1-&gt;32 3x3 on 28x28 and conv 32-&gt;64 3x3 on 14x14, both padding 1 and
 * without bias, batch 128), beside the GEMMs that
 * compute the same products with no im2col: forward {@code W [O, K] @ cols [K, N oH oW]}, weight
 * gradient {@code dY [O, N L] @ cols.t()}, input gradient {@code W.t() @ dY} (K = C kH kW, L =
 * oH oW). The first layer's backward computes no input gradient (the images need none), as in
 * training. {@link #main} prints GFLOP/s for each ({@code 2 O K N L} operations per product).
 *
 * <p>{@code path=direct} turns on the direct kernel for one input channel and {@code columnBytes}
 * sets the budget of a band of im2col columns, to measure those choices (one JVM per setting).
 *
 * <pre>
 * mvn -q -B install -DskipTests
 * ./descent bench conv          (or: java -cp examples/target/descent-benchmarks.jar dev.descent.examples.bench.ConvBenchmark)
 * java -cp examples/target/descent-benchmarks.jar dev.descent.examples.bench.ConvBenchmark -p path=direct,im2col -p columnBytes=262144,1048576,4194304
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "--add-modules=jdk.incubator.vector"})
public class ConvBenchmark {
    private static final int BATCH = 128;

    /** conv1 = 1-&gt;32 on 28x28, conv2 = 32-&gt;64 on 14x14; both 3x3, stride 1, padding 1 (the output keeps the input's size). */
    @Param({"conv1", "conv2"})
    public String layer;

    /** im2col: the kernels' default; direct: the direct kernel for one input channel (-Ddescent.conv.direct=true). */
    @Param({"im2col"})
    public String path;

    @Param({"1048576"})
    public int columnBytes;

    @Param({"2"})
    public int threads;

    private Conv2d conv;
    private Tensor input;
    private Tensor gradOutput;
    private NDArray kernels;
    private NDArray columns;
    private NDArray gradRows;

    @Setup
    public void setUp() {
        // read once when the CPU's convolution class loads, which is after this (one JVM per setting)
        System.setProperty("descent.conv.direct", String.valueOf(path.equals("direct")));
        System.setProperty("descent.conv.columnBytes", String.valueOf(columnBytes));
        Descent.setNumThreads(threads);
        int[] s = shape(layer);
        Generator generator = new Generator(1);
        conv = new Conv2d(s[0], s[1], new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, false, generator);
        input = Tensor.of(NDArray.randn(DType.FLOAT32, generator, BATCH, s[0], s[2], s[2])).requiresGrad(s[0] > 1);
        int out = s[2];
        gradOutput = Tensor.of(NDArray.randn(DType.FLOAT32, generator, BATCH, s[1], out, out));
        int depth = s[0] * 9;
        int positions = BATCH * out * out;
        kernels = NDArray.randn(DType.FLOAT32, generator, s[1], depth);
        columns = NDArray.randn(DType.FLOAT32, generator, depth, positions);
        gradRows = NDArray.randn(DType.FLOAT32, generator, s[1], positions);
    }

    /** In channels, out channels, input height (= width). */
    static int[] shape(String layer) {
        return layer.equals("conv1") ? new int[] {1, 32, 28} : new int[] {32, 64, 14};
    }

    /** Operations of the forward's product, 2 O K N L. */
    static double forwardFlops(String layer) {
        int[] s = shape(layer);
        int out = s[2];
        return 2.0 * s[1] * s[0] * 9 * BATCH * out * out;
    }

    /** Products in forward + backward: the forward, the weight gradient, and the input gradient except for the first layer. */
    static int products(String layer) {
        return shape(layer)[0] > 1 ? 3 : 2;
    }

    @Benchmark
    public Tensor forward() {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            return conv.forward(input);
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        conv.zeroGrad();
        input.zeroGrad();
        Tensor y = conv.forward(input);
        y.backward(gradOutput);
        return y;
    }

    @Benchmark
    public NDArray gemmForward() {
        return kernels.matmul(columns);
    }

    @Benchmark
    public NDArray gemmForwardBackward() {
        NDArray y = kernels.matmul(columns);
        NDArray gradWeight = gradRows.matmul(columns.t());
        return shape(layer)[0] > 1 ? kernels.t().matmul(gradRows) : gradWeight;
    }

    /** Runs the default settings (or those on the command line) and prints GFLOP/s. */
    public static void main(String[] args) throws Exception {
        Options cli = new CommandLineOptions(args);
        report(new Runner(new OptionsBuilder().parent(cli).include(ConvBenchmark.class.getSimpleName()).build()).run());
    }

    /** Prints each result as time and GFLOP/s ({@code 2 O K N L} operations per product). */
    static void report(Collection<RunResult> results) {
        Map<String, String> rows = new TreeMap<>();
        for (RunResult result : results) {
            String l = result.getParams().getParam("layer");
            if (l == null) {
                continue; // another class's benchmark matched a command-line pattern
            }
            String bench = result.getPrimaryResult().getLabel();
            double millis = result.getPrimaryResult().getScore();
            double flops = forwardFlops(l) * (bench.endsWith("Backward") ? products(l) : 1);
            String key = l + " " + bench + " path=" + result.getParams().getParam("path") + " columns="
                    + result.getParams().getParam("columnBytes") + " threads=" + result.getParams().getParam("threads");
            rows.put(key, String.format("%10.2f ms %8.1f GFLOP/s", millis, flops / (millis * 1e6)));
        }
        System.out.printf("%nConv2d float32, batch %d (MNIST CNN shapes) beside the GEMM of the same products%n", BATCH);
        rows.forEach((key, value) -> System.out.printf("%-72s %s%n", key, value));
    }
}
