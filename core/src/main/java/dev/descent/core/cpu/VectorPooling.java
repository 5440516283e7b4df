package dev.descent.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2 x 2 max pooling with stride 2 (CNNs' usual pooling) with the Vector API, LANES / 2 windows at
 * a time: a vector of the top row holds the windows' (top-left, top-right) pairs, one of the
 * bottom row their (bottom-left, bottom-right) pairs; swapping the lanes of each pair brings all
 * four values of a window into its even lane.
 * <pre>
 *   best   = max(tl, tr, bl, br)                                      (Math.max: NaN wins, +0 above -0)
 *   argmax = the first of tl, tr, bl, br equal to best                (row-major order in the window)
 * </pre>
 * which is what the scalar loop's sequence of strict improvements gives (the first occurrence of
 * the maximum; a window of -inf keeps its top-left). A window holding NaN takes the scalar loop
 * (its argmax is the last NaN, which equality cannot find). The scalar loop's comparisons depend on
 * the data, and its branches missed: about 20 cycles per window, a tenth of a training step of the
 * MNIST CNN (2.6 ms per forward of [128, 32, 28, 28] on 2 threads, 1.7 ms this way). No masked
 * loads or stores: JDK 17 does not compile them and boxes every vector; a short row's group starts
 * early or reads on into the next row, and the results go out through a small scratch. Only with
 * 512-bit vectors; narrower shapes keep the scalar loop.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    private static final int LANES = SPECIES.length();
    /** Windows per vector. */
    private static final int WINDOWS = LANES / 2;
    /** Whether this kernel applies: 512-bit vectors or wider. */
    static final boolean WIDE = LANES >= 16;
    /** Planes below this many elements: window indices travel as floats, turned into ints through 2^23. */
    static final int LARGEST_PLANE = 1 << 23;
    private static final float TWO_TO_23 = 8388608f;
    private static final int TWO_TO_23_BITS = Float.floatToRawIntBits(TWO_TO_23);
    /** Lane 2l and 2l + 1 exchanged. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(SPECIES, lane -> lane ^ 1);
    /** The even lanes, in order, into the first half. */
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(SPECIES, lane -> (2 * lane) % LANES);
    /** 0, 2, 4, ... : each window's top-left offset from the group's first, in the first half. */
    private static final FloatVector PAIR_STARTS = FloatVector.zero(SPECIES).addIndex(2);

    /** Per thread: a group's values and indices on their way out (a vector store would run past the group). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final float[] values = new float[LANES];
        final int[] indices = new int[LANES];
    }

    private VectorPooling() {
    }

    /**
     * Output row by output row of one plane: windows j0 .. j0 + LANES / 2 per step. A group with
     * NaN is handed to {@code scalar}, which recomputes it; so is the end of a row whose vector
     * would run past the array.
     */
    static void maxPoolTwoByTwo(float[] x, int base, int rowStride, int width, int oh, int ow, float[] out, int to, int[] indices,
                                int toIndex, ScalarGroup scalar) {
        Scratch scratch = SCRATCH.get();
        float[] scratchValues = scratch.values;
        int[] scratchIndices = scratch.indices;
        for (int i = 0; i < oh; i++) {
            int top = base + 2 * i * rowStride;
            int bottom = top + rowStride;
            int topIndex = 2 * i * width;
            for (int next = 0; next < ow; next += WINDOWS) {
                // a short last group starts early enough to fill a vector (recomputing windows already
                // stored, to the same bits); a row shorter than a vector reads on into the next row
                int j0 = Math.max(0, Math.min(next, ow - WINDOWS));
                int count = Math.min(WINDOWS, ow - j0);
                if (bottom + 2 * j0 + LANES > x.length) {
                    scalar.run(i, next, ow - next);
                    break;
                }
                FloatVector upper = FloatVector.fromArray(SPECIES, x, top + 2 * j0);
                FloatVector lower = FloatVector.fromArray(SPECIES, x, bottom + 2 * j0);
                FloatVector upperSwapped = upper.rearrange(SWAP_PAIRS);
                FloatVector lowerSwapped = lower.rearrange(SWAP_PAIRS);
                FloatVector best = upper.max(upperSwapped).max(lower.max(lowerSwapped));
                // NaN != NaN; compare with a constant operator compiles to one instruction, test(IS_NAN) did not
                if (best.compare(VectorOperators.NE, best).anyTrue()) {
                    scalar.run(i, j0, count);
                    continue;
                }
                // later candidates first, so that the first equal one in window order is the last blended
                FloatVector offset = FloatVector.broadcast(SPECIES, width + 1)
                        .blend(width, lower.compare(VectorOperators.EQ, best))
                        .blend(1, upperSwapped.compare(VectorOperators.EQ, best))
                        .blend(0, upper.compare(VectorOperators.EQ, best));
                FloatVector index = offset.rearrange(EVENS).add(PAIR_STARTS).add(topIndex + 2 * j0);
                int o = i * ow + j0;
                best.rearrange(EVENS).intoArray(scratchValues, 0);
                // a whole float f below 2^23 plus 2^23 has the bits of 2^23's plus f: reinterpreting
                // compiles to nothing, where JDK 17 does not compile convertShape(F2I) and boxes
                IntVector whole = (IntVector) index.add(TWO_TO_23).reinterpretShape(INTS, 0);
                whole.sub(TWO_TO_23_BITS).intoArray(scratchIndices, 0);
                System.arraycopy(scratchValues, 0, out, to + o, count);
                System.arraycopy(scratchIndices, 0, indices, toIndex + o, count);
            }
        }
    }

    /** The scalar loop for windows j0 .. j0 + count of output row i. */
    @FunctionalInterface
    interface ScalarGroup {
        void run(int i, int j0, int count);
    }
}
