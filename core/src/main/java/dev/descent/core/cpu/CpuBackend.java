package dev.descent.core.cpu;

import dev.descent.core.Backend;
import dev.descent.core.ConvolutionKernels;
import dev.descent.core.CounterStream;
import dev.descent.core.DType;
import dev.descent.core.Descent;
import dev.descent.core.Device;
import dev.descent.core.FusedKernels;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.core.Shape;
import dev.descent.core.Storage;
import java.util.Arrays;

/**
 * The built-in backend: Java arrays on the host and multi-threaded kernels on one shared team of
 * threads, sized by {@link Descent#setNumThreads}. Needs no native code. Its kernels are
 * package-private; the static methods are the settings {@link Descent} exposes.
 */
public final class CpuBackend implements Backend {

    /** A backend for {@link Device#CPU}: it holds no state, so every instance runs the same kernels. */
    public CpuBackend() {
    }

    /** Sets the number of threads the CPU kernels may use (at least 1); 1 runs them on the calling thread. */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("CpuBackend.setThreads: threads must be >= 1, got " + threads);
        }
        Parallel.resize(threads);
    }

    /** The number of threads the CPU kernels may use. */
    public static int threads() {
        return Parallel.threads();
    }

    /** Whether float32 kernels run as explicit SIMD code (the Vector API), rather than plain Java. */
    public static boolean simdKernels() {
        return VectorSupport.enabled;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    /** Optimizer updates in one pass, batch normalization in three passes forward and two backward. */
    @Override
    public FusedKernels fused() {
        return CpuFusedKernels.INSTANCE;
    }

    /** One pass per window, threads over the N x C planes. */
    @Override
    public dev.descent.core.PoolingKernels pooling() {
        return CpuPoolingKernels.INSTANCE;
    }

    /** im2col in cache-sized bands and the GEMM; a direct kernel for one input channel per group. */
    @Override
    public ConvolutionKernels convolution() {
        return CpuConvolution.INSTANCE;
    }

    @Override
    public Storage allocate(DType dtype, int size) {
        return CpuStorage.allocate(dtype, size);
    }

    @Override
    public Storage upload(Object hostArray) {
        if (hostArray instanceof float[] f) {
            return CpuStorage.wrap(f.clone());
        }
        if (hostArray instanceof double[] d) {
            return CpuStorage.wrap(d.clone());
        }
        if (hostArray instanceof int[] i) {
            return CpuStorage.wrap(i.clone());
        }
        return CpuStorage.wrap(hostArray); // throws with a message naming the type it got
    }

    @Override
    public Object download(NDArray x) {
        CpuStorage target = CpuStorage.allocate(x.dtype(), x.size());
        copy(x, NDArray.wrap(target, x.shape(), Shape.contiguousStrides(x.shape()), 0));
        return target.array();
    }

    @Override
    public void fill(NDArray out, double value) {
        CpuStorage target = (CpuStorage) out.storage();
        StridedLoop loop = StridedLoop.over(out.shape(), out);
        int stride = loop.innerStride(0);
        loop.run((offsets, n) -> {
            int o = offsets[0];
            switch (out.dtype()) {
                case FLOAT32 -> { float v = (float) value; for (int i = 0; i < n; i++) target.floats[o + i * stride] = v; }
                case FLOAT64 -> { for (int i = 0; i < n; i++) target.doubles[o + i * stride] = value; }
                case INT32 -> { int v = (int) value; for (int i = 0; i < n; i++) target.ints[o + i * stride] = v; }
            }
        });
    }

    @Override
    public void copy(NDArray source, NDArray out) {
        CpuStorage from = (CpuStorage) source.storage();
        CpuStorage to = (CpuStorage) out.storage();
        StridedLoop loop = StridedLoop.over(out.shape(), source, out);
        int ss = loop.innerStride(0);
        int os = loop.innerStride(1);
        boolean sameType = source.dtype() == out.dtype();
        loop.run((offsets, n) -> {
            int so = offsets[0];
            int oo = offsets[1];
            if (sameType && ss == 1 && os == 1) {
                System.arraycopy(from.array(), so, to.array(), oo, n);
            } else {
                copyRow(from, so, ss, to, oo, os, n);
            }
        });
    }

    /**
     * A strided row copy with the dtype conversion chosen outside the loop (the common pairs typed,
     * the rest through {@link CpuStorage#get}/{@link CpuStorage#set}); conversions round as Java's casts do.
     */
    private static void copyRow(CpuStorage from, int so, int ss, CpuStorage to, int oo, int os, int n) {
        DType source = from.dtype();
        DType target = to.dtype();
        if (source == DType.FLOAT32 && target == DType.FLOAT32) {
            float[] f = from.floats;
            float[] t = to.floats;
            for (int i = 0; i < n; i++) {
                t[oo + i * os] = f[so + i * ss];
            }
        } else if (source == DType.FLOAT64 && target == DType.FLOAT64) {
            double[] f = from.doubles;
            double[] t = to.doubles;
            for (int i = 0; i < n; i++) {
                t[oo + i * os] = f[so + i * ss];
            }
        } else if (source == DType.INT32 && target == DType.FLOAT32) {
            int[] f = from.ints;
            float[] t = to.floats;
            for (int i = 0; i < n; i++) {
                t[oo + i * os] = (float) (double) f[so + i * ss];
            }
        } else if (source == DType.FLOAT32 && target == DType.FLOAT64) {
            float[] f = from.floats;
            double[] t = to.doubles;
            for (int i = 0; i < n; i++) {
                t[oo + i * os] = f[so + i * ss];
            }
        } else if (source == DType.FLOAT64 && target == DType.FLOAT32) {
            double[] f = from.doubles;
            float[] t = to.floats;
            for (int i = 0; i < n; i++) {
                t[oo + i * os] = (float) f[so + i * ss];
            }
        } else {
            for (int i = 0; i < n; i++) {
                to.set(oo + i * os, from.get(so + i * ss));
            }
        }
    }

    @Override
    public void unary(UnaryOp op, NDArray x, NDArray out) {
        CpuStorage in = (CpuStorage) x.storage();
        CpuStorage to = (CpuStorage) out.storage();
        StridedLoop loop = StridedLoop.over(out.shape(), x, out);
        int xs = loop.innerStride(0);
        int os = loop.innerStride(1);
        loop.run((offsets, n) -> {
            switch (out.dtype()) {
                case FLOAT32 -> FloatKernels.unary(op, in.floats, offsets[0], xs, to.floats, offsets[1], os, n);
                case FLOAT64 -> DoubleKernels.unary(op, in.doubles, offsets[0], xs, to.doubles, offsets[1], os, n);
                case INT32 -> IntKernels.unary(op, in.ints, offsets[0], xs, to.ints, offsets[1], os, n);
            }
        });
    }

    @Override
    public void binary(BinaryOp op, NDArray a, NDArray b, NDArray out) {
        CpuStorage sa = (CpuStorage) a.storage();
        CpuStorage sb = (CpuStorage) b.storage();
        CpuStorage to = (CpuStorage) out.storage();
        StridedLoop loop = StridedLoop.over(out.shape(), a, b, out);
        int as = loop.innerStride(0);
        int bs = loop.innerStride(1);
        int os = loop.innerStride(2);
        loop.run((o, n) -> {
            switch (out.dtype()) {
                case FLOAT32 -> FloatKernels.binary(op, sa.floats, o[0], as, sb.floats, o[1], bs, to.floats, o[2], os, n);
                case FLOAT64 -> DoubleKernels.binary(op, sa.doubles, o[0], as, sb.doubles, o[1], bs, to.doubles, o[2], os, n);
                case INT32 -> IntKernels.binary(op, sa.ints, o[0], as, sb.ints, o[1], bs, to.ints, o[2], os, n);
            }
        });
    }

    @Override
    public void compare(CompareOp op, NDArray a, NDArray b, NDArray out) {
        CpuStorage sa = (CpuStorage) a.storage();
        CpuStorage sb = (CpuStorage) b.storage();
        int[] to = ((CpuStorage) out.storage()).ints;
        StridedLoop loop = StridedLoop.over(out.shape(), a, b, out);
        int as = loop.innerStride(0);
        int bs = loop.innerStride(1);
        int os = loop.innerStride(2);
        loop.run((o, n) -> {
            switch (a.dtype()) {
                case FLOAT32 -> FloatKernels.compare(op, sa.floats, o[0], as, sb.floats, o[1], bs, to, o[2], os, n);
                case FLOAT64 -> DoubleKernels.compare(op, sa.doubles, o[0], as, sb.doubles, o[1], bs, to, o[2], os, n);
                case INT32 -> IntKernels.compare(op, sa.ints, o[0], as, sb.ints, o[1], bs, to, o[2], os, n);
            }
        });
    }

    @Override
    public void where(NDArray condition, NDArray a, NDArray b, NDArray out) {
        int[] mask = ((CpuStorage) condition.storage()).ints;
        CpuStorage sa = (CpuStorage) a.storage();
        CpuStorage sb = (CpuStorage) b.storage();
        CpuStorage to = (CpuStorage) out.storage();
        StridedLoop loop = StridedLoop.over(out.shape(), condition, a, b, out);
        int ms = loop.innerStride(0);
        int as = loop.innerStride(1);
        int bs = loop.innerStride(2);
        int os = loop.innerStride(3);
        loop.run((o, n) -> {
            for (int i = 0; i < n; i++) {
                double value = mask[o[0] + i * ms] != 0 ? sa.get(o[1] + i * as) : sb.get(o[2] + i * bs);
                to.set(o[3] + i * os, value);
            }
        });
    }

    @Override
    public void reduce(ReduceOp op, NDArray x, int[] dims, NDArray out) {
        CpuReductions.reduce(op, x, dims, out);
    }

    @Override
    public void argReduce(ReduceOp op, NDArray x, int dim, NDArray out) {
        CpuReductions.argReduce(op, x, dim, out);
    }

    @Override
    public void gemm(int batch, int m, int n, int k, MatrixOperand a, MatrixOperand b, MatrixOperand c, boolean accumulate) {
        CpuGemm.gemm(batch, m, n, k, a, b, c, accumulate);
    }

    @Override
    public void gather(NDArray x, int dim, NDArray index, NDArray out) {
        CpuStorage source = (CpuStorage) x.storage();
        CpuStorage target = (CpuStorage) out.storage();
        int[] indices = ((CpuStorage) index.storage()).ints;
        int step = x.strides()[dim];
        NDArray xAlongIndex = NDArray.wrap(x.storage(), index.shape(), zeroStride(x.strides(), dim), x.offset());
        StridedLoop loop = StridedLoop.over(index.shape(), index, xAlongIndex, out);
        int is = loop.innerStride(0);
        int xs = loop.innerStride(1);
        int os = loop.innerStride(2);
        loop.run((o, n) -> {
            for (int i = 0; i < n; i++) {
                target.set(o[2] + i * os, source.get(o[1] + i * xs + indices[o[0] + i * is] * step));
            }
        });
    }

    @Override
    public void scatterAdd(NDArray out, int dim, NDArray index, NDArray source) {
        CpuStorage from = (CpuStorage) source.storage();
        CpuStorage target = (CpuStorage) out.storage();
        int[] indices = ((CpuStorage) index.storage()).ints;
        int step = out.strides()[dim];
        NDArray outAlongIndex = NDArray.wrap(out.storage(), index.shape(), zeroStride(out.strides(), dim), out.offset());
        StridedLoop loop = StridedLoop.over(index.shape(), index, source, outAlongIndex);
        int is = loop.innerStride(0);
        int ss = loop.innerStride(1);
        int os = loop.innerStride(2);
        // serial: two indices may name the same target element
        loop.runSerial((o, n) -> {
            for (int i = 0; i < n; i++) {
                int t = o[2] + i * os + indices[o[0] + i * is] * step;
                target.set(t, target.get(t) + from.get(o[1] + i * ss));
            }
        });
    }

    @Override
    public void indexSelect(NDArray x, int dim, NDArray index, NDArray out) {
        if (dim == 0 && x.dtype() == out.dtype() && x.isContiguous() && out.isContiguous() && x.rank() > 0) {
            // whole rows (a batch drawn from a dataset, every step): one array copy per row
            int rowLength = x.shape()[0] == 0 ? 0 : x.size() / x.shape()[0];
            Object from = ((CpuStorage) x.storage()).array();
            Object to = ((CpuStorage) out.storage()).array();
            int[] indices = ((CpuStorage) index.storage()).ints;
            int stride = index.strides()[0];
            for (int i = 0; i < out.shape()[0]; i++) {
                int row = indices[index.offset() + i * stride];
                System.arraycopy(from, x.offset() + row * rowLength, to, out.offset() + i * rowLength, rowLength);
            }
            return;
        }
        int[] indexStrides = new int[out.rank()];
        indexStrides[dim] = index.strides()[0];
        NDArray indexAlongOut = NDArray.wrap(index.storage(), out.shape(), indexStrides, index.offset());
        gather(x, dim, indexAlongOut, out);
    }

    @Override
    public void random(Distribution distribution, double a, double b, Generator generator, NDArray out) {
        if (distribution == Distribution.BERNOULLI) {
            bernoulli(a, b, generator.nextLong(), out);
            return;
        }
        CpuStorage target = (CpuStorage) out.storage();
        boolean isFloat = out.dtype() == DType.FLOAT32;
        StridedLoop loop = StridedLoop.over(out.shape(), out);
        int os = loop.innerStride(0);
        // serial: the generator's stream is consumed in row-major order
        loop.runSerial((o, n) -> {
            for (int i = 0; i < n; i++) {
                double value = distribution == Distribution.UNIFORM ? uniform(a, b, isFloat, generator)
                        : a + b * generator.nextGaussian();
                target.set(o[0] + i * os, value);
            }
        });
    }

    /**
     * Element i (row-major) is {@code value} when the top 53 bits of
     * {@code CounterStream.bits(key, i)}, as a fraction of 2^53, are below p, and 0 otherwise. A
     * dropout mask is drawn every step: float32 runs the hash a vector of lanes at a time
     * ({@link VectorKernels#bernoulli}), and the threads share the work.
     */
    private static void bernoulli(double p, double value, long key, NDArray out) {
        NDArray contiguous = out.isContiguous() ? out : NDArray.empty(out.dtype(), out.shape(), out.device());
        CpuStorage storage = (CpuStorage) contiguous.storage();
        int base = contiguous.offset();
        // u * 2^-53 < p is u < p 2^53 exactly, and for an integer u that is u < ceil(p 2^53)
        long threshold = (long) Math.ceil(p * 0x1.0p53);
        boolean isFloat = out.dtype() == DType.FLOAT32;
        Parallel.forRange(out.size(), StridedLoop.PARALLEL_THRESHOLD, (start, end) -> {
            int i = start;
            if (isFloat && VectorSupport.enabled) {
                i = VectorKernels.bernoulli(storage.floats, base, start, end, key, threshold, (float) value);
            }
            for (; i < end; i++) {
                boolean hit = CounterStream.bits(key, i) >>> 11 < threshold;
                storage.set(base + i, hit ? value : 0);
            }
        });
        if (contiguous != out) {
            out.copyFrom(contiguous);
        }
    }

    @Override
    public void softmaxCrossEntropy(NDArray logits, NDArray targets, int ignoreIndex, NDArray losses, NDArray probabilities) {
        if (CpuSoftmaxCrossEntropy.fusable(logits, targets, losses, probabilities)) {
            CpuSoftmaxCrossEntropy.forward(logits, targets, ignoreIndex, losses, probabilities);
        } else {
            Backend.super.softmaxCrossEntropy(logits, targets, ignoreIndex, losses, probabilities);
        }
    }

    @Override
    public void softmaxCrossEntropyBackward(NDArray probabilities, NDArray targets, int ignoreIndex, NDArray gradLosses,
                                            NDArray gradLogits) {
        if (CpuSoftmaxCrossEntropy.fusable(probabilities, targets, gradLosses, gradLogits)) {
            CpuSoftmaxCrossEntropy.backward(probabilities, targets, ignoreIndex, gradLosses, gradLogits);
        } else {
            Backend.super.softmaxCrossEntropyBackward(probabilities, targets, ignoreIndex, gradLosses, gradLogits);
        }
    }

    /** One pass over the indices, on the calling thread (index arrays are a batch long). */
    @Override
    public void countOutOfRange(NDArray x, int size, int ignore, NDArray counter) {
        int[] values = x.toIntArray();
        long outside = 0;
        for (int value : values) {
            outside += value != ignore && (value < 0 || value >= size) ? 1 : 0;
        }
        counter.addi(outside);
    }

    /** Fused for contiguous float32: fixed chunks (so the result does not depend on the thread count), four accumulators each. */
    @Override
    public void sumOfSquares(NDArray x, NDArray out) {
        if (x.dtype() != DType.FLOAT32 || !x.isContiguous() || x.size() < 2) {
            Backend.super.sumOfSquares(x, out);
            return;
        }
        float[] v = ((CpuStorage) x.storage()).floats;
        int base = x.offset();
        int n = x.size();
        int chunk = 1 << 14;
        int chunks = (n + chunk - 1) / chunk;
        double[] partial = new double[chunks];
        Parallel.forRange(chunks, Math.max(1, StridedLoop.PARALLEL_THRESHOLD / chunk), (start, end) -> {
            for (int c = start; c < end; c++) {
                int from = base + c * chunk;
                int to = Math.min(base + n, from + chunk);
                if (VectorSupport.enabled) {
                    partial[c] = VectorKernels.sumOfSquares(v, from, to);
                    continue;
                }
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int i = from;
                for (; i + 3 < to; i += 4) {
                    double a = v[i];
                    double b = v[i + 1];
                    double d = v[i + 2];
                    double e = v[i + 3];
                    s0 += a * a;
                    s1 += b * b;
                    s2 += d * d;
                    s3 += e * e;
                }
                for (; i < to; i++) {
                    double a = v[i];
                    s0 += a * a;
                }
                partial[c] = (s0 + s1) + (s2 + s3);
            }
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        out.addi(total);
    }

    /** Uniform on [a, b), taking care that rounding to float never yields b itself. */
    private static double uniform(double a, double b, boolean isFloat, Generator generator) {
        if (!isFloat) {
            double value = a + (b - a) * generator.nextDouble();
            return value < b ? value : Math.nextDown(b);
        }
        float value = (float) (a + (b - a) * generator.nextFloat());
        return value < (float) b || a == b ? value : Math.nextDown((float) b);
    }

    private static int[] zeroStride(int[] strides, int dim) {
        int[] result = Arrays.copyOf(strides, strides.length);
        result[dim] = 0;
        return result;
    }
}
