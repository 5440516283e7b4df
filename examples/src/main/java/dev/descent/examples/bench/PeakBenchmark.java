package dev.descent.examples.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's float32 arithmetic peak, measured rather than looked up, so that GEMM GFLOP/s can
 * be quoted as a fraction of it:
 * <ul>
 *   <li>{@link #fusedMultiplyAdds}: twelve independent chains of vector FMAs (more chains than an
 *       FMA's latency times the FMA units, so the units never wait), one core; and
 *       {@link #fusedMultiplyAddsTwoCores} the same on two threads at once;</li>
 *   <li>{@link #dependentAdds}: a chain of float64 additions, each waiting for the last, so it
 *       runs at one addition per add latency: with the latency known (3 cycles on AMD Zen 2 to 4,
 *       4 on Intel since Skylake) its rate gives the clock.</li>
 * </ul>
 * Peak FLOP/cycle = FMA rate / clock: 2 x lanes x FMAs per cycle, the vector width and FMA units.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PeakBenchmark {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Loop trips per invocation. */
    static final int TRIPS = 1_000_000;
    /** Independent FMA chains. */
    static final int CHAINS = 12;

    /** Floating-point operations of one {@link #fusedMultiplyAdds} call: two per lane per FMA. */
    static long fmaFlops() {
        return 2L * SPECIES.length() * CHAINS * TRIPS;
    }

    public float multiplier = 0.999999f;
    public float addend = 1e-7f;
    public double step = 1e-9;

    @Benchmark
    public float fusedMultiplyAdds() {
        return fmaChains(multiplier, addend);
    }

    @Benchmark
    @Threads(2)
    public float fusedMultiplyAddsTwoCores() {
        return fmaChains(multiplier, addend);
    }

    @Benchmark
    public double dependentAdds() {
        double x = 1;
        for (int i = 0; i < TRIPS; i++) {
            x += step;
        }
        return x;
    }

    private static float fmaChains(float multiplier, float addend) {
        FloatVector m = FloatVector.broadcast(SPECIES, multiplier);
        FloatVector c = FloatVector.broadcast(SPECIES, addend);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 1f);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        FloatVector a8 = a0;
        FloatVector a9 = a0;
        FloatVector a10 = a0;
        FloatVector a11 = a0;
        for (int i = 0; i < TRIPS; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6.add(a7).add(a8).add(a9).add(a10).add(a11))
                .reduceLanes(VectorOperators.ADD);
    }
}
