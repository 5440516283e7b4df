package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.Backend;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.FusedKernels.AdamArrays;
import dev.descent.core.FusedKernels.AdamStep;
import dev.descent.core.FusedKernels.BatchNormGradients;
import dev.descent.core.FusedKernels.BatchNormStatistics;
import dev.descent.core.FusedKernels.SgdArrays;
import dev.descent.core.FusedKernels.SgdStep;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every Backend op on the GPU against the CPU backend, on random shapes, broadcasts and strided
 * views: float32 within 1e-5 relative (reductions 1e-4), float64 and integers tighter. Skipped
 * (JUnit assumption) where no CUDA device is present.
 */
class CudaBackendTest {
    private static final Device GPU = Device.cuda(0);
    private final Random random = new Random(42);
    private final Generator generator = new Generator(42);

    @BeforeEach
    void needsAGpu() {
        assumeTrue(Device.cudaAvailable() && !EmulatedDevice.requested(), "no CUDA device (the PTX kernels need one): " + Device.cudaStatus());
    }

    private int[] randomShape(int maxRank) {
        int[] shape = new int[1 + random.nextInt(maxRank)];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = 1 + random.nextInt(7);
        }
        return shape;
    }

    /** A random array, sometimes as a transposed or sliced (non-contiguous) view. */
    private NDArray randomArray(DType dtype, int[] shape, double low, double high) {
        NDArray x = NDArray.rand(DType.FLOAT64, generator, shape).muli(high - low).addi(low).astype(dtype);
        if (shape.length >= 2 && random.nextBoolean()) {
            int[] swapped = shape.clone();
            swapped[0] = shape[1];
            swapped[1] = shape[0];
            x = NDArray.rand(DType.FLOAT64, generator, swapped).muli(high - low).addi(low).astype(dtype).transpose(0, 1);
        }
        return x;
    }

    private static void assertClose(NDArray expected, NDArray actual, double rtol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertEquals(Device.CPU, actual.to(Device.CPU).device());
        double[] e = expected.toDoubleArray();
        double[] a = actual.to(Device.CPU).toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean bothNaN = Double.isNaN(e[i]) && Double.isNaN(a[i]);
            assertTrue(bothNaN || Math.abs(e[i] - a[i]) <= rtol * Math.max(1, Math.abs(e[i])),
                    what + ": element " + i + " expected " + e[i] + " got " + a[i]);
        }
    }

    @Test
    void copiesRoundTripEveryDtypeAndView() {
        for (DType dtype : DType.values()) {
            NDArray x = randomArray(dtype, new int[] {5, 7}, -100, 100);
            NDArray back = x.to(GPU).to(Device.CPU);
            assertArrayEquals(x.toDoubleArray(), back.toDoubleArray(), 0, dtype.toString());
            for (DType target : DType.values()) {
                assertClose(x.astype(target), x.to(GPU).astype(target), 0, dtype + " -> " + target);
            }
        }
    }

    @Test
    void unaryOpsMatchTheCpu() {
        for (Backend.UnaryOp op : Backend.UnaryOp.values()) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                boolean positive = op == Backend.UnaryOp.LOG || op == Backend.UnaryOp.SQRT || op == Backend.UnaryOp.RSQRT
                        || op == Backend.UnaryOp.LOG1P || op == Backend.UnaryOp.RECIPROCAL;
                NDArray x = randomArray(dtype, randomShape(4), positive ? 0.1 : -3, 3);
                NDArray expected = NDArray.empty(dtype, x.shape(), Device.CPU);
                x.backend().unary(op, x, expected);
                NDArray onGpu = x.to(GPU);
                NDArray actual = NDArray.empty(dtype, x.shape(), GPU);
                actual.backend().unary(op, onGpu, actual);
                assertClose(expected, actual, dtype == DType.FLOAT32 ? 1e-5 : 1e-12, op + " " + dtype);
            }
        }
    }

    @Test
    void binaryOpsBroadcastLikeTheCpu() {
        for (int trial = 0; trial < 20; trial++) {
            int rows = 1 + random.nextInt(9);
            int columns = 1 + random.nextInt(9);
            NDArray a = randomArray(DType.FLOAT32, new int[] {rows, columns}, 0.5, 2);
            NDArray row = randomArray(DType.FLOAT32, new int[] {columns}, 0.5, 2);
            NDArray column = randomArray(DType.FLOAT32, new int[] {rows, 1}, 0.5, 2);
            assertClose(a.add(row), a.to(GPU).add(row.to(GPU)), 1e-5, "add row");
            assertClose(a.sub(column), a.to(GPU).sub(column.to(GPU)), 1e-5, "sub column");
            assertClose(a.mul(row), a.to(GPU).mul(row.to(GPU)), 1e-5, "mul");
            assertClose(a.div(column), a.to(GPU).div(column.to(GPU)), 1e-5, "div");
            assertClose(a.pow(row), a.to(GPU).pow(row.to(GPU)), 1e-5, "pow");
            assertClose(a.maximum(row), a.to(GPU).maximum(row.to(GPU)), 0, "maximum");
            assertClose(a.minimum(column), a.to(GPU).minimum(column.to(GPU)), 0, "minimum");
            assertClose(a.gt(row), a.to(GPU).gt(row.to(GPU)), 0, "gt");
            assertClose(NDArray.where(a.gt(row), a, column), NDArray.where(a.gt(row).to(GPU), a.to(GPU), column.to(GPU)), 0, "where");
        }
        NDArray ints = NDArray.of(new int[] {Integer.MAX_VALUE, -3, 7, 0}, 4);
        assertClose(ints.add(ints), ints.to(GPU).add(ints.to(GPU)), 0, "int add wraps as in Java");
        assertClose(ints.neg().abs(), ints.to(GPU).neg().abs(), 0, "int neg abs");
    }

    @Test
    void javaSemanticsForNaNAndSignedZero() {
        NDArray x = NDArray.of(new float[] {Float.NaN, -0f, 0f, 2f}, 4);
        NDArray y = NDArray.of(new float[] {1f, 0f, -0f, Float.NaN}, 4);
        assertClose(x.maximum(y), x.to(GPU).maximum(y.to(GPU)), 0, "maximum propagates NaN");
        assertEquals(Float.floatToIntBits(x.minimum(y).toFloatArray()[1]), Float.floatToIntBits(x.to(GPU).minimum(y.to(GPU)).toFloatArray()[1]));
        assertClose(x.relu(), x.to(GPU).relu(), 0, "relu");
        assertClose(x.sign(), x.to(GPU).sign(), 0, "sign");
        NDArray big = NDArray.of(new float[] {Float.NaN, 3e9f, -3e9f, -2.7f}, 4);
        assertClose(big.astype(DType.INT32), big.to(GPU).astype(DType.INT32), 0, "float to int as a Java cast");
    }

    @Test
    void reductionsOverAnyDimensionsMatchTheCpu() {
        for (int trial = 0; trial < 40; trial++) {
            int[] shape = randomShape(4);
            NDArray x = randomArray(DType.FLOAT32, shape, 0.5, 1.5);
            int[] dims = java.util.stream.IntStream.range(0, shape.length).filter(d -> random.nextBoolean()).toArray();
            if (dims.length == 0) {
                dims = new int[] {0};
            }
            boolean keep = random.nextBoolean();
            NDArray g = x.to(GPU);
            assertClose(x.sum(dims, keep), g.sum(dims, keep), 1e-4, "sum " + Arrays.toString(dims) + " of " + Arrays.toString(shape));
            assertClose(x.prod(dims, keep), g.prod(dims, keep), 1e-4, "prod");
            assertClose(x.max(dims, keep), g.max(dims, keep), 0, "max");
            assertClose(x.min(dims, keep), g.min(dims, keep), 0, "min");
            assertClose(x.mean(dims, keep), g.mean(dims, keep), 1e-4, "mean");
            int dim = random.nextInt(shape.length);
            assertClose(x.argmax(dim), g.argmax(dim), 0, "argmax");
            assertClose(x.argmin(dim), g.argmin(dim), 0, "argmin");
        }
        NDArray large = randomArray(DType.FLOAT32, new int[] {300_000}, -1, 1);
        assertClose(large.sum(), large.to(GPU).sum(), 1e-4, "sum of 300K");
        double expected = Math.pow(large.norm(2).item(), 2);
        assertEquals(expected, Math.pow(large.to(GPU).norm(2).item(), 2), 1e-6 * expected);
    }

    @Test
    void matrixProductsInEveryLayoutMatchTheCpu() {
        for (int trial = 0; trial < 30; trial++) {
            int m = 1 + random.nextInt(130);
            int k = 1 + random.nextInt(130);
            int n = 1 + random.nextInt(130);
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                NDArray a = random.nextBoolean() ? randomArray(dtype, new int[] {m, k}, -1, 1) : randomArray(dtype, new int[] {k, m}, -1, 1).t();
                NDArray b = random.nextBoolean() ? randomArray(dtype, new int[] {k, n}, -1, 1) : randomArray(dtype, new int[] {n, k}, -1, 1).t();
                assertClose(a.matmul(b), a.to(GPU).matmul(b.to(GPU)), dtype == DType.FLOAT32 ? 1e-4 : 1e-10, m + "x" + k + "x" + n);
            }
        }
        NDArray batched = randomArray(DType.FLOAT32, new int[] {3, 17, 9}, -1, 1);
        NDArray shared = randomArray(DType.FLOAT32, new int[] {9, 5}, -1, 1);
        assertClose(batched.matmul(shared), batched.to(GPU).matmul(shared.to(GPU)), 1e-4, "batched with a broadcast matrix");
    }

    @Test
    void gatherScatterAndIndexSelectMatchTheCpu() {
        NDArray x = randomArray(DType.FLOAT32, new int[] {6, 5}, -1, 1);
        int[] picks = new int[6 * 3];
        for (int i = 0; i < picks.length; i++) {
            picks[i] = random.nextInt(5);
        }
        NDArray index = NDArray.of(picks, 6, 3);
        assertClose(x.gather(1, index), x.to(GPU).gather(1, index.to(GPU)), 0, "gather");
        NDArray source = randomArray(DType.FLOAT32, new int[] {6, 3}, -1, 1);
        assertClose(x.scatterAdd(1, index, source), x.to(GPU).scatterAdd(1, index.to(GPU), source.to(GPU)), 1e-5, "scatterAdd");
        NDArray rows = NDArray.of(new int[] {4, 0, 4, 2}, 4);
        assertClose(x.indexSelect(0, rows), x.to(GPU).indexSelect(0, rows.to(GPU)), 0, "indexSelect rows");
        assertClose(x.indexSelect(1, rows), x.to(GPU).indexSelect(1, rows.to(GPU)), 0, "indexSelect columns");
    }

    @Test
    void bernoulliMasksAreTheCpuMasksAndUniformNormalHaveTheirMoments() {
        NDArray cpu = NDArray.bernoulli(0.3, 2.5, new Generator(9), 1000, 37);
        NDArray gpu = NDArray.empty(DType.FLOAT32, new int[] {1000, 37}, GPU);
        gpu.backend().random(Backend.Distribution.BERNOULLI, 0.3, 2.5, new Generator(9), gpu);
        assertClose(cpu, gpu, 0, "bernoulli");
        NDArray uniform = NDArray.empty(DType.FLOAT32, new int[] {1 << 20}, GPU);
        uniform.backend().random(Backend.Distribution.UNIFORM, -2, 3, generator, uniform);
        NDArray u = uniform.to(Device.CPU);
        assertTrue(u.min().item() >= -2 && u.max().item() < 3);
        assertEquals(0.5, u.mean().item(), 0.01);
        NDArray normal = NDArray.empty(DType.FLOAT64, new int[] {1 << 20}, GPU);
        normal.backend().random(Backend.Distribution.NORMAL, 1, 2, generator, normal);
        NDArray z = normal.to(Device.CPU);
        assertEquals(1, z.mean().item(), 0.01);
        assertEquals(2, Math.sqrt(z.sub(z.mean()).square().mean().item()), 0.01);
    }

    @Test
    void fusedOptimizerAndBatchNormKernelsMatchTheCpu() {
        int[] shape = {64, 33};
        NDArray param = randomArray(DType.FLOAT32, shape, -1, 1).contiguous();
        NDArray grad = randomArray(DType.FLOAT32, shape, -1, 1).contiguous();
        NDArray m = randomArray(DType.FLOAT32, shape, -1, 1).contiguous();
        NDArray v = randomArray(DType.FLOAT32, shape, 0, 1).contiguous();
        NDArray[] gpu = {param.to(GPU), grad.to(GPU), m.to(GPU), v.to(GPU)};
        AdamStep adam = new AdamStep(1e-3, 0.9, 0.9, 0.999, 1e-8, 0.01, 0.999);
        param.backend().fused().adamUpdate(new AdamArrays(param, grad, m, v, null), adam);
        gpu[0].backend().fused().adamUpdate(new AdamArrays(gpu[0], gpu[1], gpu[2], gpu[3], null), adam);
        assertClose(param, gpu[0], 1e-5, "adam param");
        assertClose(v, gpu[3], 1e-5, "adam second moment");
        NDArray buffer = randomArray(DType.FLOAT32, shape, -1, 1).contiguous();
        NDArray gpuBuffer = buffer.to(GPU);
        SgdStep sgd = new SgdStep(0.1, 0.9, 0.1, 1e-4, true, false);
        param.backend().fused().sgdUpdate(new SgdArrays(param, grad, buffer), sgd);
        gpu[0].backend().fused().sgdUpdate(new SgdArrays(gpu[0], gpu[1], gpuBuffer), sgd);
        assertClose(param, gpu[0], 1e-5, "sgd param");

        NDArray x = randomArray(DType.FLOAT32, new int[] {128, 40}, -2, 5).contiguous();
        NDArray weight = randomArray(DType.FLOAT32, new int[] {40}, 0.5, 1.5);
        NDArray bias = randomArray(DType.FLOAT32, new int[] {40}, -1, 1);
        NDArray[] cpuOut = {NDArray.empty(DType.FLOAT32, x.shape(), Device.CPU), NDArray.zeros(40), NDArray.zeros(40)};
        NDArray[] gpuOut = {NDArray.empty(DType.FLOAT32, x.shape(), GPU), NDArray.zeros(40).to(GPU), NDArray.zeros(40).to(GPU)};
        x.backend().fused().batchNormForward(x, weight, bias, 1e-5, cpuOut[0], new BatchNormStatistics(cpuOut[1], cpuOut[2]));
        gpuOut[0].backend().fused().batchNormForward(x.to(GPU), weight.to(GPU), bias.to(GPU), 1e-5, gpuOut[0],
                new BatchNormStatistics(gpuOut[1], gpuOut[2]));
        for (int i = 0; i < 3; i++) {
            assertClose(cpuOut[i], gpuOut[i], 1e-4, "batch norm forward " + i);
        }
        NDArray upstream = randomArray(DType.FLOAT32, x.shape(), -1, 1).contiguous();
        NDArray[] cpuGrads = {NDArray.empty(DType.FLOAT32, x.shape(), Device.CPU), NDArray.zeros(40), NDArray.zeros(40)};
        NDArray[] gpuGrads = {NDArray.empty(DType.FLOAT32, x.shape(), GPU), NDArray.zeros(40).to(GPU), NDArray.zeros(40).to(GPU)};
        x.backend().fused().batchNormBackward(upstream, x, weight, new BatchNormStatistics(cpuOut[1], cpuOut[2]),
                new BatchNormGradients(cpuGrads[0], cpuGrads[1], cpuGrads[2]));
        gpuGrads[0].backend().fused().batchNormBackward(upstream.to(GPU), x.to(GPU), weight.to(GPU),
                new BatchNormStatistics(gpuOut[1], gpuOut[2]), new BatchNormGradients(gpuGrads[0], gpuGrads[1], gpuGrads[2]));
        for (int i = 0; i < 3; i++) {
            assertClose(cpuGrads[i], gpuGrads[i], 1e-4, "batch norm backward " + i);
        }
    }

    @Test
    void softmaxCrossEntropyMatchesTheCpu() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            NDArray logits = randomArray(dtype, new int[] {300, 13}, -20, 20).contiguous();
            int[] labels = new int[300];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = i % 17 == 0 ? -100 : (i * 7) % 13;
            }
            NDArray targets = NDArray.of(labels);
            NDArray upstream = randomArray(dtype, new int[] {300}, -1, 1).contiguous();
            NDArray[] cpu = {NDArray.empty(dtype, new int[] {300}, Device.CPU), NDArray.empty(dtype, logits.shape(), Device.CPU),
                    NDArray.empty(dtype, logits.shape(), Device.CPU)};
            NDArray[] gpu = {NDArray.empty(dtype, new int[] {300}, GPU), NDArray.empty(dtype, logits.shape(), GPU),
                    NDArray.empty(dtype, logits.shape(), GPU)};
            logits.backend().softmaxCrossEntropy(logits, targets, -100, cpu[0], cpu[1]);
            logits.backend().softmaxCrossEntropyBackward(cpu[1], targets, -100, upstream, cpu[2]);
            gpu[0].backend().softmaxCrossEntropy(logits.to(GPU), targets.to(GPU), -100, gpu[0], gpu[1]);
            gpu[0].backend().softmaxCrossEntropyBackward(gpu[1], targets.to(GPU), -100, upstream.to(GPU), gpu[2]);
            String[] names = {"losses", "probabilities", "gradLogits"};
            for (int i = 0; i < 3; i++) {
                assertClose(cpu[i], gpu[i], dtype == DType.FLOAT32 ? 1e-5 : 1e-12, "softmax cross-entropy " + names[i] + " " + dtype);
            }
        }
    }
}
