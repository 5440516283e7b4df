package dev.descent.examples.bench;

import dev.descent.autograd.Tensor;
import dev.descent.core.Descent;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.optim.Optimizer;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.firstorder.SGD;
import java.util.ArrayList;
import java.util.List;
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
 * One optimizer step over the parameters of the MLP-BN model (see MlpBn: 537,354
 * float32 values in 10 tensors) next to the memory-bound floor: copying every array the step
 * writes (the parameters and each state array) once, which reads and writes as many bytes.
 *
 * <pre>
 * java -jar examples/target/descent-benchmarks.jar OptimizerStepBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
public class OptimizerStepBenchmark {
    private static final int[][] SHAPES = {{512, 784}, {512}, {512}, {512}, {256, 512}, {256}, {256}, {256}, {10, 256}, {10}};

    @Param({"sgd", "sgdMomentum", "adam"})
    public String optimizer;

    @Param({"1", "2"})
    public int threads;

    private Optimizer step;
    private List<NDArray> written;
    private List<NDArray> sources;

    @Setup
    public void setUp() {
        Descent.setNumThreads(threads);
        Generator g = new Generator(3);
        List<Tensor> params = new ArrayList<>();
        for (int[] shape : SHAPES) {
            Tensor p = Tensor.of(NDArray.randn(g, shape)).requiresGrad(true);
            p.mul(Tensor.of(NDArray.randn(g, shape))).sum().backward();
            params.add(p);
        }
        step = switch (optimizer) {
            case "sgd" -> new SGD(params, SGD.options().lr(0.01));
            case "sgdMomentum" -> new SGD(params, SGD.options().lr(0.01).momentum(0.9));
            default -> new Adam(params, Adam.options().lr(1e-3));
        };
        step.step();
        // the floor: one copy into every array the step writes (parameters and state)
        written = new ArrayList<>();
        sources = new ArrayList<>();
        int arraysPerParameter = switch (optimizer) {
            case "sgd" -> 1;
            case "sgdMomentum" -> 2;
            default -> 3;
        };
        for (Tensor p : params) {
            for (int k = 0; k < arraysPerParameter; k++) {
                written.add(p.data().zerosLike());
                sources.add(p.grad().data());
            }
        }
    }

    @Benchmark
    public void optimizerStep() {
        step.step();
    }

    @Benchmark
    public void copyFloor() {
        for (int i = 0; i < written.size(); i++) {
            written.get(i).copyFrom(sources.get(i));
        }
    }
}
