package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backend;
import dev.descent.core.DType;
import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.FusedKernels;
import dev.descent.core.FusedKernels.AdamArrays;
import dev.descent.core.FusedKernels.AdamStep;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.FusedKernels.CapturableAdamStep;
import dev.descent.core.FusedKernels.SgdArrays;
import dev.descent.core.FusedKernels.SgdStep;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.Storage;
import org.junit.jupiter.api.Test;

/**
 * The CPU's fused kernels (optimizer updates, batch norm, softmax cross-entropy, sum of squares)
 * agree with the composed defaults of {@link FusedKernels} and {@link Backend}.
 */
class FusedKernelTest {
    private static final FusedKernels FUSED = new CpuBackend().fused();
    private static final FusedKernels COMPOSED = FusedKernels.COMPOSED;
    private final Generator g = new Generator(8);
    private final Backend composed = new Backend() {
        private final CpuBackend cpu = new CpuBackend();

        // every primitive delegates; the fused kernels keep the interface's composed defaults
        @Override public Device device() { return cpu.device(); }
        @Override public Storage allocate(DType dtype, int size) { return cpu.allocate(dtype, size); }
        @Override public Storage upload(Object hostArray) { return cpu.upload(hostArray); }
        @Override public Object download(NDArray x) { return cpu.download(x); }
        @Override public void fill(NDArray out, double value) { cpu.fill(out, value); }
        @Override public void copy(NDArray source, NDArray out) { cpu.copy(source, out); }
        @Override public void unary(UnaryOp op, NDArray x, NDArray out) { cpu.unary(op, x, out); }
        @Override public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) { cpu.binary(op, a, b, out); }
        @Override public void compare(CompareOp op, NDArray a, NDArray b, NDArray out) { cpu.compare(op, a, b, out); }
        @Override public void where(NDArray c, NDArray a, NDArray b, NDArray out) { cpu.where(c, a, b, out); }
        @Override public void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out) { cpu.reduce(op, x, dims, out); }
        @Override public void argReduce(ReduceOp op, NDArray x, int dim, NDArray out) { cpu.argReduce(op, x, dim, out); }
        @Override public void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean acc) {
            cpu.gemm(batch, m, n, k, a, b, c, acc);
        }
        @Override public void gather(NDArray x, int dim, NDArray index, NDArray out) { cpu.gather(x, dim, index, out); }
        @Override public void scatterAdd(NDArray out, int dim, NDArray index, NDArray source) { cpu.scatterAdd(out, dim, index, source); }
        @Override public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) { cpu.indexSelect(x, dim, index, out); }
        @Override public void random(Distribution d, double a, double b, Generator gen, NDArray out) { cpu.random(d, a, b, gen, out); }
    };

    private NDArray[] arrays(DType dtype, int count) {
        NDArray[] result = new NDArray[count];
        for (int i = 0; i < count; i++) {
            NDArray values = NDArray.randn(dtype, g, 70_001);
            // second-moment arrays (index 3 and 4) must be non-negative
            result[i] = i >= 3 ? values.square() : values;
        }
        return result;
    }

    @Test
    void adamMatchesTheComposedForm() {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            for (boolean amsgrad : new boolean[] {false, true}) {
                NDArray[] fused = arrays(dtype, 5);
                NDArray[] reference = copies(fused);
                for (int step = 1; step <= 3; step++) {
                    double stepSize = 1e-2 / (1 - Math.pow(0.9, step));
                    double correction = Math.sqrt(1 - Math.pow(0.999, step));
                    AdamStep scalars = new AdamStep(stepSize, correction, 0.9, 0.999, 1e-8, 0.01, 0.99);
                    FUSED.adamUpdate(adamArrays(fused, amsgrad), scalars);
                    COMPOSED.adamUpdate(adamArrays(reference, amsgrad), scalars);
                }
                assertSame(dtype, fused, reference, "adam amsgrad=" + amsgrad);
            }
        }
    }

    @Test
    void sgdMatchesTheComposedForm() {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            for (boolean nesterov : new boolean[] {false, true}) {
                NDArray[] fused = arrays(dtype, 3);
                NDArray[] reference = copies(fused);
                for (int step = 0; step < 3; step++) {
                    SgdStep scalars = new SgdStep(0.1, 0.9, nesterov ? 0 : 0.1, 0.01, nesterov, step == 0);
                    FUSED.sgdUpdate(new SgdArrays(fused[0], fused[1], fused[2]), scalars);
                    COMPOSED.sgdUpdate(new SgdArrays(reference[0], reference[1], reference[2]), scalars);
                }
                SgdStep plain = new SgdStep(0.1, 0, 0, 0, false, false);
                FUSED.sgdUpdate(new SgdArrays(fused[0], fused[1], null), plain);
                COMPOSED.sgdUpdate(new SgdArrays(reference[0], reference[1], null), plain);
                assertSame(dtype, fused, reference, "sgd nesterov=" + nesterov);
            }
        }
    }

    /** The default capturable update reads the learning rate and step count and then runs the eager update: the same bits. */
    @Test
    void capturableAdamReadsItsScalarsAndMatchesTheEagerUpdate() {
        NDArray[] capturable = arrays(DType.FLOAT32, 5);
        NDArray[] eager = copies(capturable);
        NDArray lr = NDArray.scalar(DType.FLOAT64, 1e-2);
        NDArray count = NDArray.scalar(DType.FLOAT64, 0);
        for (int step = 1; step <= 3; step++) {
            count.addi(1);
            FUSED.capturableAdamUpdate(adamArrays(capturable, true), new CapturableAdamStep(lr, count, 0.9, 0.999, 1e-8, 0.01, 0.1));
            FUSED.adamUpdate(adamArrays(eager, true), new AdamStep(1e-2 / (1 - Math.pow(0.9, step)), Math.sqrt(1 - Math.pow(0.999, step)),
                    0.9, 0.999, 1e-8, 0.01, 1 - 1e-2 * 0.1));
        }
        for (int i = 0; i < capturable.length; i++) {
            assertArrayEquals(eager[i].toFloatArray(), capturable[i].toFloatArray(), 0f, "array " + i);
        }
    }

    private static AdamArrays adamArrays(NDArray[] arrays, boolean amsgrad) {
        return new AdamArrays(arrays[0], arrays[1], arrays[2], arrays[3], amsgrad ? arrays[4] : null);
    }

    @Test
    void batchNormMatchesTheComposedFormInFloat64OnRandomShapes() {
        boolean original = VectorSupport.enabled;
        try {
            for (boolean vector : new boolean[] {true, false}) {
                VectorSupport.enabled = vector;
                checkBatchNorm();
            }
        } finally {
            VectorSupport.enabled = original;
        }
    }

    private void checkBatchNorm() {
        java.util.Random random = new java.util.Random(4);
        for (int trial = 0; trial < 24; trial++) {
            int rows = 2 + random.nextInt(trial < 12 ? 10 : 300);
            int columns = 1 + random.nextInt(trial < 12 ? 20 : 700);
            boolean affine = trial % 2 == 0;
            // an offset far from zero: the variance must come from centred values, not E[x^2] - E[x]^2
            NDArray x = NDArray.randn(g, rows, columns).mul(3).add(trial % 3 == 0 ? 100 : 0);
            NDArray weight = affine ? NDArray.randn(g, columns) : null;
            NDArray bias = affine ? NDArray.randn(g, columns) : null;
            NDArray grad = NDArray.randn(g, rows, columns);
            NDArray[] fused = batchNorm(FUSED, x, weight, bias, grad);
            NDArray[] reference = batchNorm(COMPOSED, x.astype(DType.FLOAT64), affine ? weight.astype(DType.FLOAT64) : null,
                    affine ? bias.astype(DType.FLOAT64) : null, grad.astype(DType.FLOAT64));
            String[] names = {"out", "mean", "invStd", "gradInput", "gradWeight", "gradBias"};
            for (int i = 0; i < names.length; i++) {
                NDArray expected = reference[i];
                double scale = Math.max(1, expected.abs().max().item());
                double error = fused[i].astype(DType.FLOAT64).sub(expected).abs().max().item();
                assertTrue(error <= 2e-5 * scale * Math.sqrt(rows), (VectorSupport.enabled ? "vector" : "plain") + " batch norm " + rows + "x" + columns + (affine ? " affine " : " ")
                        + names[i] + ": error " + error + " (scale " + scale + ")");
            }
        }
    }

    @Test
    void softmaxCrossEntropyMatchesTheComposedFormOnRandomShapes() {
        java.util.Random random = new java.util.Random(9);
        for (int trial = 0; trial < 30; trial++) {
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            int rows = 1 + random.nextInt(trial < 15 ? 8 : 600);
            int classes = 1 + random.nextInt(trial < 15 ? 5 : 60);
            // a large common offset: the kernel must subtract each row's maximum before exp
            NDArray logits = NDArray.randn(g, rows, classes).mul(4).add(trial % 3 == 0 ? 1000 : 0).astype(dtype);
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = random.nextInt(10) == 0 ? -100 : random.nextInt(classes);
            }
            NDArray targets = NDArray.of(labels);
            NDArray gradLosses = NDArray.randn(g, rows).astype(dtype);
            NDArray[] fused = softmaxCrossEntropy(new CpuBackend(), logits, targets, gradLosses);
            NDArray[] reference = softmaxCrossEntropy(composed, logits.astype(DType.FLOAT64), targets, gradLosses.astype(DType.FLOAT64));
            String[] names = {"losses", "probabilities", "gradLogits"};
            for (int i = 0; i < names.length; i++) {
                double error = fused[i].astype(DType.FLOAT64).sub(reference[i]).abs().max().item();
                double tolerance = dtype == DType.FLOAT64 ? 1e-12 : 2e-6 * Math.max(1, reference[i].abs().max().item());
                assertTrue(error <= tolerance, dtype + " " + rows + "x" + classes + " " + names[i] + ": error " + error);
            }
            for (int i = 0; i < rows; i++) {
                if (labels[i] == -100) {
                    assertTrue(fused[0].get(i) == 0 && fused[2].select(0, i).abs().max().item() == 0, "ignored row " + i);
                }
            }
        }
    }

    @Test
    void softmaxCrossEntropyOfEqualLogitsIsLogOfTheClassCount() {
        NDArray logits = NDArray.full(DType.FLOAT64, 3.5, 4, 7);
        NDArray[] result = softmaxCrossEntropy(new CpuBackend(), logits, NDArray.of(new int[] {0, 6, 3, 2}), NDArray.ones(DType.FLOAT64, 4));
        for (double loss : result[0].toDoubleArray()) {
            assertEquals(Math.log(7), loss, 1e-15);
        }
        // d/dx_c = 1/7 - [c = y]: row 1 (target 6) ends in 1/7 - 1
        assertEquals(1.0 / 7 - 1, result[2].get(1, 6), 1e-15);
        assertEquals(1.0 / 7, result[2].get(1, 0), 1e-15);
    }

    @Test
    void fusedSumOfSquaresMatchesTheComposedOneAndIgnoresTheThreadCount() {
        boolean original = VectorSupport.enabled;
        try {
            for (boolean vector : new boolean[] {true, false}) {
                VectorSupport.enabled = vector;
                // the vector kernel sums runs of 1024 squares in float32 lanes before float64
                checkSumOfSquares(vector ? 1e-7 : 1e-12);
            }
        } finally {
            VectorSupport.enabled = original;
        }
    }

    private static void checkSumOfSquares(double relativeTolerance) {
        Generator g = new Generator(13);
        for (int n : new int[] {2, 3, 17, 1024, 16_384, 16_385, 100_003, 401_408}) {
            NDArray x = NDArray.randn(g, n);
            Backend cpu = x.backend();
            double composed = x.astype(DType.FLOAT64).square().sum().item();
            int threads = Descent.numThreads();
            try {
                Descent.setNumThreads(1);
                double one = sumOfSquares(cpu, x);
                Descent.setNumThreads(2);
                double two = sumOfSquares(cpu, x);
                assertEquals(one, two, 0.0, "the same bits on 1 and 2 threads, n = " + n);
                assertEquals(composed, one, relativeTolerance * composed, "n = " + n);
            } finally {
                Descent.setNumThreads(threads);
            }
            assertEquals(Math.sqrt(composed), x.norm(2).item(), 1e-6 * Math.sqrt(composed));
        }
    }

    /** The backend's fused sum of squares, read from the 0-d array it writes. */
    private static double sumOfSquares(Backend backend, NDArray x) {
        NDArray total = NDArray.empty(DType.FLOAT64, new int[0], x.device()).fill(0);
        backend.sumOfSquares(x, total);
        return total.item();
    }

    /** losses, probabilities and gradLogits of the fused kernels on {@code backend}. */
    private static NDArray[] softmaxCrossEntropy(Backend backend, NDArray logits, NDArray targets, NDArray gradLosses) {
        NDArray losses = NDArray.zeros(logits.dtype(), logits.shape()[0]);
        NDArray probabilities = NDArray.zeros(logits.dtype(), logits.shape());
        backend.softmaxCrossEntropy(logits, targets, -100, losses, probabilities);
        NDArray gradLogits = NDArray.zeros(logits.dtype(), logits.shape());
        backend.softmaxCrossEntropyBackward(probabilities, targets, -100, gradLosses, gradLogits);
        return new NDArray[] {losses, probabilities, gradLogits};
    }

    /** Forward then backward on {@code backend}: out, mean, invStd, gradInput, gradWeight, gradBias. */
    private static NDArray[] batchNorm(FusedKernels kernels, NDArray x, NDArray weight, NDArray bias, NDArray grad) {
        int columns = x.shape()[1];
        NDArray out = NDArray.zeros(x.dtype(), x.shape());
        BatchNormStatistics statistics = new BatchNormStatistics(NDArray.zeros(x.dtype(), columns), NDArray.zeros(x.dtype(), columns));
        kernels.batchNormForward(x, weight, bias, 1e-5, out, statistics);
        BatchNormGradients gradients = new BatchNormGradients(NDArray.zeros(x.dtype(), x.shape()), NDArray.zeros(x.dtype(), columns),
                NDArray.zeros(x.dtype(), columns));
        kernels.batchNormBackward(grad, x, weight, statistics, gradients);
        return new NDArray[] {out, statistics.mean(), statistics.invStd(), gradients.input(), gradients.weight(), gradients.bias()};
    }

    private static NDArray[] copies(NDArray[] arrays) {
        NDArray[] result = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            result[i] = arrays[i].copy();
        }
        return result;
    }

    private static void assertSame(DType dtype, NDArray[] fused, NDArray[] reference, String what) {
        double tolerance = dtype == DType.FLOAT64 ? 1e-15 : 1e-6;
        for (int i = 0; i < fused.length; i++) {
            assertTrue(fused[i].allClose(reference[i], tolerance, tolerance), what + " array " + i);
        }
    }
}
