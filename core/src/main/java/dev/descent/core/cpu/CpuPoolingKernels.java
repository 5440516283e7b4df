package dev.descent.core.cpu;

import dev.descent.core.DType;
import dev.descent.core.NDArray;
import dev.descent.core.PoolingKernels;

/**
 * The CPU's pooling kernels: one pass over each window, where the composed defaults copy a padded
 * input and make one strided pass (and a temporary) per kernel tap. Threads split the N x C
 * planes, which are independent in every kernel, including the backward ones: a plane's gradient
 * is written by the thread that owns it, so scattering needs no atomics. Inputs ({@code x},
 * {@code grad}) are read through their strides, so a transposed or sliced view costs no copy;
 * outputs must be contiguous (they are new arrays), else the composed defaults run. float32 and
 * float64 each have their loops ({@link CpuPoolingLoops}); sums accumulate in double.
 */
final class CpuPoolingKernels implements PoolingKernels {
    static final CpuPoolingKernels INSTANCE = new CpuPoolingKernels();

    private CpuPoolingKernels() {
    }

    /** Where one input or gradient array's planes and elements are: offset and strides over N, C, H, W. */
    record Layout(int offset, int strideN, int strideC, int strideH, int strideW, int channels) {
        static Layout of(NDArray a) {
            int[] s = a.strides();
            return new Layout(a.offset(), s[0], s[1], s[2], s[3], a.shape(1));
        }

        /** The offset of plane {@code p} = n C + c. */
        int plane(int p) {
            return offset + (p / channels) * strideN + (p % channels) * strideC;
        }
    }

    private static boolean floating(NDArray a) {
        return a.dtype() == DType.FLOAT32 || a.dtype() == DType.FLOAT64;
    }

    /** Planes per thread at least, so that each chunk does about {@link StridedLoop#PARALLEL_THRESHOLD} reads. */
    private static int grain(long workPerPlane) {
        return (int) Math.max(1, StridedLoop.PARALLEL_THRESHOLD / Math.max(1, workPerPlane));
    }

    @Override
    public void maxPool2d(NDArray x, Window w, NDArray out, NDArray indices) {
        if (!floating(x) || !out.isContiguous() || !indices.isContiguous()) {
            PoolingKernels.super.maxPool2d(x, w, out, indices);
            return;
        }
        int[] s = x.shape();
        int planeOut = out.shape(2) * out.shape(3);
        CpuPoolingLoops.Plane geometry = new CpuPoolingLoops.Plane(s[2], s[3], out.shape(2), out.shape(3), w);
        Layout in = Layout.of(x);
        CpuStorage xs = (CpuStorage) x.storage();
        CpuStorage os = (CpuStorage) out.storage();
        int[] idx = ((CpuStorage) indices.storage()).ints;
        Parallel.forRange(s[0] * s[1], grain((long) planeOut * w.kernelH() * w.kernelW()), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int to = out.offset() + p * planeOut;
                int toIndex = indices.offset() + p * planeOut;
                if (xs.floats != null) {
                    CpuPoolingLoops.maxPool(xs.floats, in.plane(p), in, geometry, os.floats, to, idx, toIndex);
                } else {
                    CpuPoolingLoops.maxPool(xs.doubles, in.plane(p), in, geometry, os.doubles, to, idx, toIndex);
                }
            }
        });
    }

    @Override
    public void maxPool2dBackward(NDArray grad, NDArray indices, NDArray gradInput) {
        if (!floating(grad) || !gradInput.isContiguous() || !indices.isContiguous()) {
            PoolingKernels.super.maxPool2dBackward(grad, indices, gradInput);
            return;
        }
        int[] s = gradInput.shape();
        int planeIn = s[2] * s[3];
        int oh = grad.shape(2);
        int ow = grad.shape(3);
        Layout g = Layout.of(grad);
        CpuStorage gs = (CpuStorage) grad.storage();
        CpuStorage is = (CpuStorage) gradInput.storage();
        int[] idx = ((CpuStorage) indices.storage()).ints;
        Parallel.forRange(s[0] * s[1], grain(planeIn + (long) oh * ow), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int to = gradInput.offset() + p * planeIn;
                int from = indices.offset() + p * oh * ow;
                if (gs.floats != null) {
                    CpuPoolingLoops.maxPoolBackward(gs.floats, g.plane(p), g, oh, ow, idx, from, is.floats, to, planeIn);
                } else {
                    CpuPoolingLoops.maxPoolBackward(gs.doubles, g.plane(p), g, oh, ow, idx, from, is.doubles, to, planeIn);
                }
            }
        });
    }

    @Override
    public void avgPool2d(NDArray x, Window w, boolean countIncludePad, NDArray out) {
        if (!floating(x) || !out.isContiguous()) {
            PoolingKernels.super.avgPool2d(x, w, countIncludePad, out);
            return;
        }
        int[] s = x.shape();
        int planeOut = out.shape(2) * out.shape(3);
        CpuPoolingLoops.Plane geometry = new CpuPoolingLoops.Plane(s[2], s[3], out.shape(2), out.shape(3), w);
        double[] divisors = geometry.divisors(countIncludePad);
        Layout in = Layout.of(x);
        CpuStorage xs = (CpuStorage) x.storage();
        CpuStorage os = (CpuStorage) out.storage();
        Parallel.forRange(s[0] * s[1], grain((long) planeOut * w.kernelH() * w.kernelW()), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int to = out.offset() + p * planeOut;
                if (xs.floats != null) {
                    CpuPoolingLoops.avgPool(xs.floats, in.plane(p), in, geometry, divisors, os.floats, to);
                } else {
                    CpuPoolingLoops.avgPool(xs.doubles, in.plane(p), in, geometry, divisors, os.doubles, to);
                }
            }
        });
    }

    @Override
    public void avgPool2dBackward(NDArray grad, Window w, boolean countIncludePad, NDArray gradInput) {
        if (!floating(grad) || !gradInput.isContiguous()) {
            PoolingKernels.super.avgPool2dBackward(grad, w, countIncludePad, gradInput);
            return;
        }
        int[] s = gradInput.shape();
        int planeIn = s[2] * s[3];
        CpuPoolingLoops.Plane geometry = new CpuPoolingLoops.Plane(s[2], s[3], grad.shape(2), grad.shape(3), w);
        double[] divisors = geometry.divisors(countIncludePad);
        Layout g = Layout.of(grad);
        CpuStorage gs = (CpuStorage) grad.storage();
        CpuStorage is = (CpuStorage) gradInput.storage();
        Parallel.forRange(s[0] * s[1], grain(planeIn + (long) grad.shape(2) * grad.shape(3) * w.kernelH() * w.kernelW()), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int to = gradInput.offset() + p * planeIn;
                if (gs.floats != null) {
                    CpuPoolingLoops.avgPoolBackward(gs.floats, g.plane(p), g, geometry, divisors, is.floats, to);
                } else {
                    CpuPoolingLoops.avgPoolBackward(gs.doubles, g.plane(p), g, geometry, divisors, is.doubles, to);
                }
            }
        });
    }

    @Override
    public void adaptiveAvgPool2d(NDArray x, NDArray out) {
        if (!floating(x) || !out.isContiguous()) {
            PoolingKernels.super.adaptiveAvgPool2d(x, out);
            return;
        }
        int[] s = x.shape();
        int oh = out.shape(2);
        int ow = out.shape(3);
        Layout in = Layout.of(x);
        CpuStorage xs = (CpuStorage) x.storage();
        CpuStorage os = (CpuStorage) out.storage();
        Parallel.forRange(s[0] * s[1], grain((long) s[2] * s[3] + (long) oh * ow), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int to = out.offset() + p * oh * ow;
                if (xs.floats != null) {
                    CpuPoolingLoops.adaptiveAvgPool(xs.floats, in.plane(p), in, s[2], s[3], os.floats, to, oh, ow);
                } else {
                    CpuPoolingLoops.adaptiveAvgPool(xs.doubles, in.plane(p), in, s[2], s[3], os.doubles, to, oh, ow);
                }
            }
        });
    }

    @Override
    public void adaptiveAvgPool2dBackward(NDArray grad, NDArray gradInput) {
        if (!floating(grad) || !gradInput.isContiguous()) {
            PoolingKernels.super.adaptiveAvgPool2dBackward(grad, gradInput);
            return;
        }
        int[] s = gradInput.shape();
        int oh = grad.shape(2);
        int ow = grad.shape(3);
        Layout g = Layout.of(grad);
        CpuStorage gs = (CpuStorage) grad.storage();
        CpuStorage is = (CpuStorage) gradInput.storage();
        Parallel.forRange(s[0] * s[1], grain((long) s[2] * s[3] + (long) oh * ow), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int to = gradInput.offset() + p * s[2] * s[3];
                if (gs.floats != null) {
                    CpuPoolingLoops.adaptiveAvgPoolBackward(gs.floats, g.plane(p), g, oh, ow, is.floats, to, s[2], s[3]);
                } else {
                    CpuPoolingLoops.adaptiveAvgPoolBackward(gs.doubles, g.plane(p), g, oh, ow, is.doubles, to, s[2], s[3]);
                }
            }
        });
    }
}
