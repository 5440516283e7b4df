package dev.descent.examples.bench;

import dev.descent.autograd.Tensor;
import dev.descent.core.Descent;
import dev.descent.core.Generator;
import dev.descent.data.Batch;
import dev.descent.data.Compose;
import dev.descent.data.DataLoader;
import dev.descent.data.Mnist;
import dev.descent.data.Normalize;
import dev.descent.data.TensorDataset;
import dev.descent.data.ToTensor;
import dev.descent.examples.MlpBn;
import dev.descent.nn.Losses;
import dev.descent.nn.Sequential;
import dev.descent.optim.firstorder.Adam;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training epoch of MLP-BN (see MlpBn) on the 60,000 MNIST training images:
 * Adam lr 1e-3 at a constant rate, batch 128, the training loop only (the recipe of the PyTorch and
 * Deeplearning4j peers that tools/bench-peers.sh runs). One warm-up epoch, then four measured: JMH's score is their mean, and the
 * individual epochs are in its output, as the "epochs 2 to 5" of the peer comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 4)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--add-modules=jdk.incubator.vector"})
public class EpochBenchmark {
    @Param({"2"})
    public int threads;

    private Sequential model;
    private Adam adam;
    private DataLoader loader;

    @Setup(Level.Trial)
    public void setUp() {
        Descent.setNumThreads(threads);
        TensorDataset train = Mnist.train().toTensorDataset(new Compose(new ToTensor(), new Normalize(0.1307, 0.3081)));
        model = MlpBn.create(0);
        adam = new Adam(model.parameters(), Adam.options().lr(1e-3));
        loader = new DataLoader(train, 128).shuffle(new Generator(3));
    }

    @Benchmark
    public double epoch() {
        model.train();
        double last = 0;
        for (Batch batch : loader) {
            adam.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(batch.input()), batch.target());
            loss.backward();
            adam.step();
            last = loss.item();
        }
        return last;
    }
}
