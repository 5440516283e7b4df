package dev.descent.examples.bench;

import dev.descent.core.Descent;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
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

/**
 * The fused batch-norm kernels of the backend at MLP-BN's first hidden layer ([128, 512] float32),
 * next to their memory floor: copying as many bytes as the kernel must move at least, x in and
 * the output out for the forward ({@link #FORWARD_ARRAYS}), the output gradient and x in and the
 * input gradient out for the backward ({@link #BACKWARD_ARRAYS}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class BatchNormBenchmark {
    static final int ROWS = 128;
    static final int COLUMNS = 512;
    static final int FORWARD_ARRAYS = 2;
    static final int BACKWARD_ARRAYS = 3;

    @Param({"1", "2"})
    public int threads;

    private NDArray x;
    private NDArray grad;
    private NDArray weight;
    private NDArray bias;
    private NDArray out;
    private BatchNormStatistics statistics;
    private BatchNormGradients gradients;
    private NDArray copy;

    @Setup
    public void setUp() {
        Descent.setNumThreads(threads);
        Generator g = new Generator(5);
        x = NDArray.randn(g, ROWS, COLUMNS);
        grad = NDArray.randn(g, ROWS, COLUMNS);
        weight = NDArray.randn(g, COLUMNS);
        bias = NDArray.randn(g, COLUMNS);
        out = NDArray.zeros(ROWS, COLUMNS);
        statistics = new BatchNormStatistics(NDArray.zeros(COLUMNS), NDArray.zeros(COLUMNS));
        gradients = new BatchNormGradients(NDArray.zeros(ROWS, COLUMNS), NDArray.zeros(COLUMNS), NDArray.zeros(COLUMNS));
        copy = NDArray.zeros(ROWS, COLUMNS);
        forward();
    }

    @Benchmark
    public void forward() {
        x.backend().fused().batchNormForward(x, weight, bias, 1e-5, out, statistics);
    }

    @Benchmark
    public void backward() {
        x.backend().fused().batchNormBackward(grad, x, weight, statistics, gradients);
    }

    /** One array copy: two arrays of bytes moved. */
    @Benchmark
    public void copyFloor() {
        copy.copyFrom(x);
    }
}
