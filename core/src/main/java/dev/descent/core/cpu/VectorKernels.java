package dev.descent.core.cpu;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.UnaryOp;
import dev.descent.core.CounterStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 elementwise kernels on unit-stride rows with the Vector API: binary ops where each
 * operand is a row (stride 1) or a broadcast scalar (stride 0), and the cheap unary ops. The op
 * is chosen outside each loop, so every loop body is one or two vector instructions; a scalar loop
 * finishes the tail. Loaded only when {@link VectorSupport#enabled}.
 */
final class VectorKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** The integer lanes of the float shape; a constant, so that reinterpreting into it compiles to nothing. */
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);

    private VectorKernels() {
    }

    /**
     * out[oo + i] = a op b for i &lt; n, with as and bs each 0 or 1; false when this kernel does not
     * take the case. Each layout has its own method: as one method of 18 loops the JIT compiled
     * it for the cases seen first, recompiled it when training reached the others, and in the
     * compiled form left some loads out of line, so they allocated a box per vector.
     */
    static boolean binary(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        if (op == BinaryOp.POW || (as | bs) > 1 || (as == 0 && bs == 0)) {
            return false;
        }
        int bound = SPECIES.loopBound(n);
        int i;
        if (as == 1 && bs == 1) {
            i = rows(op, a, ao, b, bo, out, oo, bound);
        } else if (as == 1) {
            i = rowAndScalar(op, a, ao, b[bo], out, oo, bound);
        } else {
            i = scalarAndRow(op, a[ao], b, bo, out, oo, bound);
        }
        if (i < n) {
            FloatKernels.binaryStrided(op, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, 1, n - i);
        }
        return true;
    }

    /** out = a op b on whole vectors below {@code bound}; returns where it stopped. */
    private static int rows(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int bound) {
        int i = 0;
        switch (op) {
            case ADD -> { for (; i < bound; i += LANES) va(a, ao + i).add(va(b, bo + i)).intoArray(out, oo + i); }
            case SUB -> { for (; i < bound; i += LANES) va(a, ao + i).sub(va(b, bo + i)).intoArray(out, oo + i); }
            case MUL -> { for (; i < bound; i += LANES) va(a, ao + i).mul(va(b, bo + i)).intoArray(out, oo + i); }
            case DIV -> { for (; i < bound; i += LANES) va(a, ao + i).div(va(b, bo + i)).intoArray(out, oo + i); }
            case MAXIMUM -> { for (; i < bound; i += LANES) va(a, ao + i).max(va(b, bo + i)).intoArray(out, oo + i); }
            case MINIMUM -> { for (; i < bound; i += LANES) va(a, ao + i).min(va(b, bo + i)).intoArray(out, oo + i); }
            default -> throw new AssertionError(op);
        }
        return i;
    }

    /** out = a op scalar on whole vectors below {@code bound}; returns where it stopped. */
    private static int rowAndScalar(BinaryOp op, float[] a, int ao, float scalar, float[] out, int oo, int bound) {
        FloatVector s = FloatVector.broadcast(SPECIES, scalar);
        int i = 0;
        switch (op) {
            case ADD -> { for (; i < bound; i += LANES) va(a, ao + i).add(s).intoArray(out, oo + i); }
            case SUB -> { for (; i < bound; i += LANES) va(a, ao + i).sub(s).intoArray(out, oo + i); }
            case MUL -> { for (; i < bound; i += LANES) va(a, ao + i).mul(s).intoArray(out, oo + i); }
            case DIV -> { for (; i < bound; i += LANES) va(a, ao + i).div(s).intoArray(out, oo + i); }
            case MAXIMUM -> { for (; i < bound; i += LANES) va(a, ao + i).max(s).intoArray(out, oo + i); }
            case MINIMUM -> { for (; i < bound; i += LANES) va(a, ao + i).min(s).intoArray(out, oo + i); }
            default -> throw new AssertionError(op);
        }
        return i;
    }

    /** out = scalar op b on whole vectors below {@code bound}; returns where it stopped. */
    private static int scalarAndRow(BinaryOp op, float scalar, float[] b, int bo, float[] out, int oo, int bound) {
        FloatVector s = FloatVector.broadcast(SPECIES, scalar);
        int i = 0;
        switch (op) {
            case ADD -> { for (; i < bound; i += LANES) s.add(va(b, bo + i)).intoArray(out, oo + i); }
            case SUB -> { for (; i < bound; i += LANES) s.sub(va(b, bo + i)).intoArray(out, oo + i); }
            case MUL -> { for (; i < bound; i += LANES) s.mul(va(b, bo + i)).intoArray(out, oo + i); }
            case DIV -> { for (; i < bound; i += LANES) s.div(va(b, bo + i)).intoArray(out, oo + i); }
            case MAXIMUM -> { for (; i < bound; i += LANES) s.max(va(b, bo + i)).intoArray(out, oo + i); }
            case MINIMUM -> { for (; i < bound; i += LANES) s.min(va(b, bo + i)).intoArray(out, oo + i); }
            default -> throw new AssertionError(op);
        }
        return i;
    }

    /** out[oo + i] = op(x[xo + i]) for the ops with a vector instruction; false for the others. */
    static boolean unary(UnaryOp op, float[] x, int xo, float[] out, int oo, int n) {
        int bound = SPECIES.loopBound(n);
        int i = 0;
        switch (op) {
            case NEG -> { for (; i < bound; i += LANES) va(x, xo + i).neg().intoArray(out, oo + i); }
            case ABS -> { for (; i < bound; i += LANES) va(x, xo + i).abs().intoArray(out, oo + i); }
            case SQUARE -> { for (; i < bound; i += LANES) { FloatVector v = va(x, xo + i); v.mul(v).intoArray(out, oo + i); } }
            case RELU -> {
                FloatVector zero = FloatVector.zero(SPECIES);
                for (; i < bound; i += LANES) va(x, xo + i).max(zero).intoArray(out, oo + i);
            }
            case SQRT -> { for (; i < bound; i += LANES) va(x, xo + i).sqrt().intoArray(out, oo + i); }
            case SIGN -> {
                // as Math.signum: +-1 where x is nonzero, x itself where it is +-0 or NaN
                FloatVector one = FloatVector.broadcast(SPECIES, 1f);
                FloatVector minusOne = FloatVector.broadcast(SPECIES, -1f);
                for (; i < bound; i += LANES) {
                    FloatVector v = va(x, xo + i);
                    v.blend(one, v.compare(VectorOperators.GT, 0f)).blend(minusOne, v.compare(VectorOperators.LT, 0f)).intoArray(out, oo + i);
                }
            }
            default -> {
                return false;
            }
        }
        if (i < n) {
            FloatKernels.unaryStrided(op, x, xo + i, 1, out, oo + i, 1, n - i);
        }
        return true;
    }

    // Row kernels of batch norm ({@link CpuBatchNormKernels}): each does whole vectors of the first
    // {@code width} columns and returns where it stopped; the caller's scalar loop does the rest.

    /** partial[j] += x[at + j]. */
    static int accumulate(float[] partial, float[] x, int at, int width) {
        int bound = SPECIES.loopBound(width);
        for (int j = 0; j < bound; j += LANES) {
            va(partial, j).add(va(x, at + j)).intoArray(partial, j);
        }
        return bound;
    }

    /** partial[j] += (x[at + j] - mean[j])&sup2;. */
    static int accumulateCenteredSquares(float[] partial, float[] x, int at, float[] mean, int width) {
        int bound = SPECIES.loopBound(width);
        for (int j = 0; j < bound; j += LANES) {
            FloatVector d = va(x, at + j).sub(va(mean, j));
            d.fma(d, va(partial, j)).intoArray(partial, j);
        }
        return bound;
    }

    /** sumGrad[j] += g[gAt + j]; sumGradCentered[j] += g[gAt + j] (x[xAt + j] - mean[j]). */
    static int accumulateGradients(float[] sumGrad, float[] sumGradCentered, float[] g, int gAt, float[] x, int xAt, float[] mean,
                                   int width) {
        int bound = SPECIES.loopBound(width);
        for (int j = 0; j < bound; j += LANES) {
            FloatVector gradient = va(g, gAt + j);
            va(sumGrad, j).add(gradient).intoArray(sumGrad, j);
            gradient.fma(va(x, xAt + j).sub(va(mean, j)), va(sumGradCentered, j)).intoArray(sumGradCentered, j);
        }
        return bound;
    }

    /** out[to + j] = x[from + j] scale[j] + shift[j]. */
    static int affine(float[] x, int from, float[] scale, float[] shift, float[] out, int to, int width) {
        int bound = SPECIES.loopBound(width);
        for (int j = 0; j < bound; j += LANES) {
            va(x, from + j).fma(va(scale, j), va(shift, j)).intoArray(out, to + j);
        }
        return bound;
    }

    /** out[to + j] = g[gAt + j] k1[j] + (x[xAt + j] - mean[j]) k2[j] + k0[j]. */
    static int batchNormInputGradient(float[] g, int gAt, float[] x, int xAt, float[] mean, float[] k0, float[] k1, float[] k2,
                                      float[] out, int to, int width) {
        int bound = SPECIES.loopBound(width);
        for (int j = 0; j < bound; j += LANES) {
            FloatVector centered = va(x, xAt + j).sub(va(mean, j));
            va(g, gAt + j).fma(va(k1, j), centered.fma(va(k2, j), va(k0, j))).intoArray(out, to + j);
        }
        return bound;
    }

    /**
     * &Sigma; v[i]&sup2; for from &le; i &lt; to: four float32 vector accumulators over runs of 1024
     * elements (each lane then holds at most 64 squares), each run's total added in float64.
     */
    static double sumOfSquares(float[] v, int from, int to) {
        double total = 0;
        int run = 1024;
        int i = from;
        for (; i + run <= to; i += run) {
            FloatVector s0 = FloatVector.zero(SPECIES);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            for (int j = i; j < i + run; j += 4 * LANES) {
                FloatVector a = va(v, j);
                FloatVector b = va(v, j + LANES);
                FloatVector c = va(v, j + 2 * LANES);
                FloatVector d = va(v, j + 3 * LANES);
                s0 = a.fma(a, s0);
                s1 = b.fma(b, s1);
                s2 = c.fma(c, s2);
                s3 = d.fma(d, s3);
            }
            total += s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < to; i++) {
            double a = v[i];
            total += a * a;
        }
        return total;
    }

    /**
     * out[base + i] = value where {@code CounterStream.bits(key, i) >>> 11 < threshold}, else 0,
     * for i from start in whole float vectors before end; returns where it stopped. The hash runs
     * on 64-bit lanes (SplitMix64's arithmetic), two long vectors per float vector.
     *
     * <p>Only the preferred float species may appear here: a second float shape (a 256-bit vector
     * to match eight longs was tried) pollutes the type profiles that the JIT shares between all
     * FloatVector code, and the GEMM kernels then fell back to the Vector API's Java
     * implementation, twenty times slower.
     */
    static int bernoulli(float[] out, int base, int start, int end, long key, long threshold, float value) {
        VectorSpecies<Long> longs = LongVector.SPECIES_PREFERRED;
        if (longs.length() * 2 != LANES) {
            return start;
        }
        // 64-bit lane l of `even` hashes element i + 2l and of `odd` element i + 2l + 1; packing the
        // odd hits into the upper halves makes the 32-bit lanes run i, i + 1, ... in order, and an
        // all-ones lane selects value's bits: no long-to-float conversions, which the JIT does not
        // compile to single instructions everywhere (they made this kernel four times slower)
        LongVector even = LongVector.zero(longs).addIndex(2).mul(CounterStream.GOLDEN_GAMMA);
        LongVector odd = even.add(CounterStream.GOLDEN_GAMMA);
        int valueBits = Float.floatToRawIntBits(value);
        int i = start;
        for (; i + LANES <= end; i += LANES) {
            long counter = key + (i + 1L) * CounterStream.GOLDEN_GAMMA;
            LongVector hits = hits(even, counter, threshold).or(hits(odd, counter, threshold).lanewise(VectorOperators.LSHL, 32));
            // reinterpretShape to constant species, not reinterpretAsInts()/AsFloats(): those look the
            // target species up at run time, JDK 17's JIT then cannot intrinsify the cast, and every
            // call allocated the vector on the heap
            IntVector selected = ((IntVector) hits.reinterpretShape(INTS, 0)).neg().and(valueBits);
            ((FloatVector) selected.reinterpretShape(SPECIES, 0)).intoArray(out, base + i);
        }
        return i;
    }

    /** 1 in each lane where the counter-based stream's element at counter {@code steps + counter} is below threshold, else 0. */
    private static LongVector hits(LongVector steps, long counter, long threshold) {
        LongVector z = steps.add(counter);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(CounterStream.MIX_MULTIPLIER_1);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(CounterStream.MIX_MULTIPLIER_2);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
        // (u - threshold) >>> 63 is 1 exactly when u < threshold (both below 2^53)
        return z.lanewise(VectorOperators.LSHR, 11).sub(threshold).lanewise(VectorOperators.LSHR, 63);
    }

    private static FloatVector va(float[] array, int offset) {
        return FloatVector.fromArray(SPECIES, array, offset);
    }
}
