// Kernels of convolutional networks over NCHW arrays, for CudaConvolutionKernels, CudaPoolingKernels
// and the spatial batch norm of CudaBackend: im2col / col2im around the GEMM, max and average
// pooling, and batch normalization of x [N, C, L] per channel.
//
// Each kernel's work for one element is a __host__ __device__ function of its flat index, and the
// __global__ kernel is a grid-stride loop over it (or, for the per-channel sums, a block's strided
// loop and a tree in shared memory): so the index arithmetic can be run and checked on the host
// by a harness that includes this file and loops over the indices as the grid would.
//
// Semantics are those of core's CPU kernels (PyTorch's): see ConvolutionKernels, PoolingKernels
// and FusedKernels.spatialBatchNorm*.
#include "common.cuh"

#define DESCENT_HD __host__ __device__ __forceinline__

// The geometry of a convolution, passed by value as 13 ints (CudaConvolutionKernels.shape packs
// them in this order). channels is C of the whole input (the column matrix of an image holds
// every group's rows, group q's being rows [q C/groups kH kW, (q + 1) C/groups kH kW)).
struct ConvShape {
    int channels, height, width;
    int kernelH, kernelW;
    int outputH, outputW;
    int strideH, strideW;
    int padTop, padLeft;
    int dilationH, dilationW;
};

// The geometry of a pooling window, 13 ints (CudaPoolingKernels.shape packs them in this order);
// the output size is the output array's (ceil mode's extra windows included).
struct PoolShape {
    int channels, height, width;
    int outputH, outputW;
    int kernelH, kernelW;
    int strideH, strideW;
    int padH, padW;
    int dilationH, dilationW;
};

// Where an input array's elements are: element (n, c, h, w) at n sN + c sC + h sH + w sW from the
// pointer the kernel gets (the array's first element), so transposed or sliced views need no copy.
struct Strides4 {
    int n, c, h, w;
};

// The coordinates (n, c, row, column) of element `index` of a contiguous [N, C, rows, columns] array.
struct Position {
    long long n;
    int c, row, column;
};

DESCENT_HD Position position(long long index, int channels, int rows, int columns) {
    Position p;
    p.column = (int) (index % columns);
    long long rest = index / columns;
    p.row = (int) (rest % rows);
    rest /= rows;
    p.c = (int) (rest % channels);
    p.n = rest / channels;
    return p;
}

// ---------------------------------------------------------------- convolution

// Element `index` of the column matrix of a band of images, [images, C kH kW, oH oW]: row
// (c, a, b) holds tap (a, b) of channel c at every output position, 0 where the tap reads padding.
// One thread per column element: every write is coalesced, and each element is written once, so
// the buffer needs no clearing.
template <typename T>
DESCENT_HD void im2col_element(long long index, const T* x, Strides4 s, const ConvShape& g, T* columns) {
    int j = (int) (index % g.outputW);
    long long rest = index / g.outputW;
    int i = (int) (rest % g.outputH);
    rest /= g.outputH;
    int b = (int) (rest % g.kernelW);
    rest /= g.kernelW;
    int a = (int) (rest % g.kernelH);
    rest /= g.kernelH;
    int c = (int) (rest % g.channels);
    long long n = rest / g.channels;
    int h = i * g.strideH - g.padTop + a * g.dilationH;
    int w = j * g.strideW - g.padLeft + b * g.dilationW;
    bool inside = h >= 0 && h < g.height && w >= 0 && w < g.width;
    columns[index] = inside ? x[n * s.n + (long long) c * s.c + (long long) h * s.h + (long long) w * s.w] : (T) 0;
}

// Element `index` of the input gradient of a band of images, [images, C, H, W] contiguous: the sum
// of the column-gradient entries [images, C kH kW, oH oW] whose tap reads this element. A gather
// (one thread per input element, walking the taps that reach it) rather than the scatter of
// col2im: no atomics, every element written once (no clearing), and the sum is in tap order, the
// order of the CPU's scatter, so results do not depend on timing.
template <typename T>
DESCENT_HD T col2im_element(long long index, const T* columns, const ConvShape& g) {
    Position at = position(index, g.channels, g.height, g.width);
    long long n = at.n;
    int c = at.c, h = at.row, w = at.column;
    long long plane = (long long) g.outputH * g.outputW;
    const T* image = columns + (n * g.channels + c) * g.kernelH * g.kernelW * plane;
    T sum = 0;
    for (int a = 0; a < g.kernelH; a++) {
        int hp = h + g.padTop - a * g.dilationH;   // i strideH for the output row i tap a reads h from
        if (hp < 0) break;                         // only smaller for later taps
        if (hp % g.strideH != 0) continue;
        int i = hp / g.strideH;
        if (i >= g.outputH) continue;
        for (int b = 0; b < g.kernelW; b++) {
            int wp = w + g.padLeft - b * g.dilationW;
            if (wp < 0) break;
            if (wp % g.strideW != 0) continue;
            int j = wp / g.strideW;
            if (j >= g.outputW) continue;
            sum += image[(a * g.kernelW + b) * plane + (long long) i * g.outputW + j];
        }
    }
    return sum;
}

template <typename T>
__device__ void im2col(const T* x, Strides4 s, ConvShape g, int images, T* columns) {
    long long count = (long long) images * g.channels * g.kernelH * g.kernelW * g.outputH * g.outputW;
    GRID_STRIDE_LOOP(index, count) {
        im2col_element(index, x, s, g, columns);
    }
}

template <typename T>
__device__ void col2im(const T* columns, ConvShape g, int images, T* gradInput) {
    long long count = (long long) images * g.channels * g.height * g.width;
    GRID_STRIDE_LOOP(index, count) {
        gradInput[index] = col2im_element(index, columns, g);
    }
}

// out [N, O, P] contiguous += bias[o] (bias read with its stride), after the GEMM as on the CPU so
// the rounding is the same: (sum of products) + bias.
template <typename T>
__device__ void add_bias(T* out, const T* bias, int biasStride, int outputs, long long plane, long long count) {
    GRID_STRIDE_LOOP(index, count) {
        int o = (int) ((index / plane) % outputs);
        out[index] += bias[(long long) o * biasStride];
    }
}

// out[k] = (accumulate ? out[k] : 0) + sum over the images of partials[n size + k], in double and
// in image order: the weight gradient of a band from its per-image products, deterministic.
template <typename T>
__device__ void sum_images(const T* partials, int images, long long size, int accumulate, T* out) {
    GRID_STRIDE_LOOP(k, size) {
        double total = accumulate ? (double) out[k] : 0.0;
        for (int n = 0; n < images; n++) total += (double) partials[n * size + k];
        out[k] = (T) total;
    }
}

// ---------------------------------------------------------------- pooling

// The first row of a window inside the input: its start stepped on by the dilation past the padding.
DESCENT_HD int first_inside(int start, int dilation) {
    return start >= 0 ? start : start + ((-start + dilation - 1) / dilation) * dilation;
}

// Java's Math.max, which the CPU's max pooling uses: NaN wins, +0 is larger than -0.
template <typename T>
DESCENT_HD T pool_max(T best, T v) {
    if (best != best) return best;
    if (v != v) return v;
    if (best == v) return signbit(best) ? v : best;
    return best > v ? best : v;
}

// Output element `index` of max pooling, [N, C, oH, oW]: the window's largest element (NaN if any
// is) and its plane position h W + w, the first largest in row-major window order (the last NaN);
// padding never wins, and an all -inf window points at its first element inside the input.
template <typename T>
DESCENT_HD void max_pool_element(long long index, const T* x, Strides4 s, const PoolShape& g, T* out, int* indices) {
    Position at = position(index, g.channels, g.outputH, g.outputW);
    long long n = at.n;
    int c = at.c, i = at.row, j = at.column;
    const T* plane = x + n * s.n + (long long) c * s.c;
    int rowStart = i * g.strideH - g.padH;
    int columnStart = j * g.strideW - g.padW;
    int h0 = first_inside(rowStart, g.dilationH);
    int h1 = min(rowStart + (g.kernelH - 1) * g.dilationH + 1, g.height);
    int w0 = first_inside(columnStart, g.dilationW);
    int w1 = min(columnStart + (g.kernelW - 1) * g.dilationW + 1, g.width);
    T best = (T) -INFINITY;
    int argmax = h0 * g.width + w0;
    for (int h = h0; h < h1; h += g.dilationH) {
        for (int w = w0; w < w1; w += g.dilationW) {
            T v = plane[(long long) h * s.h + (long long) w * s.w];
            if (v > best || v != v) argmax = h * g.width + w;
            best = pool_max(best, v);
        }
    }
    out[index] = best;
    indices[index] = argmax;
}

// Where output gradient `index` [N, C, oH, oW] goes in the input gradient [N, C, H, W]
// (contiguous): its plane, at the forward's argmax; -1 for an index outside the plane.
DESCENT_HD long long max_pool_backward_target(long long index, const int* indices, int planeOut, int planeIn) {
    int at = indices[index];
    if (at < 0 || at >= planeIn) return -1;
    return (index / planeOut) * planeIn + at;
}

// The output gradient's element `index` read through its strides.
template <typename T>
DESCENT_HD T strided_element(long long index, const T* a, Strides4 s, int channels, int height, int width) {
    Position at = position(index, channels, height, width);
    long long n = at.n;
    int c = at.c, h = at.row, w = at.column;
    return a[n * s.n + (long long) c * s.c + (long long) h * s.h + (long long) w * s.w];
}

// PoolingKernels.divisor, never below 1: with countIncludePad the window's positions inside the
// padded input (ceil mode's overhang past the padding not counted), else the input elements it covers.
DESCENT_HD int avg_pool_divisor(const PoolShape& g, int i, int j, int countIncludePad) {
    int h0 = i * g.strideH - g.padH;
    int w0 = j * g.strideW - g.padW;
    int h1 = min(h0 + g.kernelH, g.height + g.padH);
    int w1 = min(w0 + g.kernelW, g.width + g.padW);
    int d = countIncludePad ? (h1 - h0) * (w1 - w0) : (min(h1, g.height) - max(h0, 0)) * (min(w1, g.width) - max(w0, 0));
    return max(d, 1);
}

// Output element `index` of average pooling (dilation 1): the window's sum, in double and row-major
// as on the CPU, divided by the divisor.
template <typename T>
DESCENT_HD T avg_pool_element(long long index, const T* x, Strides4 s, const PoolShape& g, int countIncludePad) {
    Position at = position(index, g.channels, g.outputH, g.outputW);
    long long n = at.n;
    int c = at.c, i = at.row, j = at.column;
    const T* plane = x + n * s.n + (long long) c * s.c;
    int rowStart = i * g.strideH - g.padH;
    int columnStart = j * g.strideW - g.padW;
    int h0 = max(rowStart, 0), h1 = min(rowStart + g.kernelH, g.height);
    int w0 = max(columnStart, 0), w1 = min(columnStart + g.kernelW, g.width);
    double sum = 0;
    for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
            sum += (double) plane[(long long) h * s.h + (long long) w * s.w];
        }
    }
    return (T) (sum / avg_pool_divisor(g, i, j, countIncludePad));
}

// Input gradient element `index` [N, C, H, W] (contiguous) of average pooling: the shares
// grad / divisor of the windows that cover it, added in T in row-major window order from 0. A gather
// (windows found from the position: i from ceil((h + padH - kH + 1) / strideH) to
// floor((h + padH) / strideH)) instead of a scatter: no atomics or clearing, and the additions come
// in the order of the CPU's scatter, so the bits are the CPU's.
template <typename T>
DESCENT_HD T avg_pool_backward_element(long long index, const T* grad, Strides4 s, const PoolShape& g, int countIncludePad) {
    Position at = position(index, g.channels, g.height, g.width);
    long long n = at.n;
    int c = at.c, h = at.row, w = at.column;
    const T* plane = grad + n * s.n + (long long) c * s.c;
    int hp = h + g.padH, wp = w + g.padW;
    int i0 = hp < g.kernelH ? 0 : (hp - g.kernelH) / g.strideH + 1;
    int i1 = min(hp / g.strideH, g.outputH - 1);
    int j0 = wp < g.kernelW ? 0 : (wp - g.kernelW) / g.strideW + 1;
    int j1 = min(wp / g.strideW, g.outputW - 1);
    T sum = 0;
    for (int i = i0; i <= i1; i++) {
        for (int j = j0; j <= j1; j++) {
            double value = (double) plane[(long long) i * s.h + (long long) j * s.w];
            sum += (T) (value / avg_pool_divisor(g, i, j, countIncludePad));
        }
    }
    return sum;
}

template <typename T>
__device__ void max_pool2d(const T* x, Strides4 s, PoolShape g, int images, T* out, int* indices) {
    long long count = (long long) images * g.channels * g.outputH * g.outputW;
    GRID_STRIDE_LOOP(index, count) {
        max_pool_element(index, x, s, g, out, indices);
    }
}

// One thread per output gradient, added at its argmax with atomicAdd into a cleared gradInput. The
// backward kernel is not told the window (PoolingKernels.maxPool2dBackward takes the indices only),
// so it cannot find the outputs that chose an input element and gather them; overlapping windows
// that chose the same element make the order of those additions vary (as in PyTorch's CUDA
// kernel), non-overlapping ones never share a target.
template <typename T>
__device__ void max_pool2d_backward(const T* grad, Strides4 s, const int* indices, int channels, int outputH, int outputW,
                                    int planeIn, long long count, T* gradInput) {
    GRID_STRIDE_LOOP(index, count) {
        long long target = max_pool_backward_target(index, indices, outputH * outputW, planeIn);
        if (target >= 0) atomicAdd(gradInput + target, strided_element(index, grad, s, channels, outputH, outputW));
    }
}

template <typename T>
__device__ void avg_pool2d(const T* x, Strides4 s, PoolShape g, int images, int countIncludePad, T* out) {
    long long count = (long long) images * g.channels * g.outputH * g.outputW;
    GRID_STRIDE_LOOP(index, count) {
        out[index] = avg_pool_element(index, x, s, g, countIncludePad);
    }
}

template <typename T>
__device__ void avg_pool2d_backward(const T* grad, Strides4 s, PoolShape g, int images, int countIncludePad, T* gradInput) {
    long long count = (long long) images * g.channels * g.height * g.width;
    GRID_STRIDE_LOOP(index, count) {
        gradInput[index] = avg_pool_backward_element(index, grad, s, g, countIncludePad);
    }
}

// ---------------------------------------------------------------- batch normalization of x [N, C, L]

// Element k (of N L) of channel c in a contiguous [N, C, L] array.
DESCENT_HD long long channel_element(long long k, int c, int channels, int length) {
    return ((k / length) * channels + c) * length + k % length;
}

// One thread's share of a channel's sums: elements k = first, first + step, ... below count.
template <typename T>
DESCENT_HD double partial_sum(const T* x, int c, int channels, int length, long long count, int first, int step) {
    double sum = 0;
    for (long long k = first; k < count; k += step) sum += (double) x[channel_element(k, c, channels, length)];
    return sum;
}

template <typename T>
DESCENT_HD double partial_centered_squares(const T* x, int c, int channels, int length, long long count, int first, int step,
                                           double mean) {
    double sum = 0;
    for (long long k = first; k < count; k += step) {
        double d = (double) x[channel_element(k, c, channels, length)] - mean;
        sum += d * d;
    }
    return sum;
}

template <typename T>
DESCENT_HD void partial_gradient_sums(const T* grad, const T* x, int c, int channels, int length, long long count, int first,
                                      int step, double mean, double& sumGrad, double& sumGradCentered) {
    for (long long k = first; k < count; k += step) {
        long long at = channel_element(k, c, channels, length);
        double g = (double) grad[at];
        sumGrad += g;
        sumGradCentered += g * ((double) x[at] - mean);
    }
}

// The block's total of `value`, in every thread; blockDim.x a power of two up to BN_THREADS.
#define BN_THREADS 256
__device__ double tree_sum(double value, double* shared) {
    shared[threadIdx.x] = value;
    __syncthreads();
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) shared[threadIdx.x] += shared[threadIdx.x + half];
        __syncthreads();
    }
    double total = shared[0];
    __syncthreads();
    return total;
}

// One block per channel (a channel's N L values are spread over the batch, so a thread per channel
// would read them one by one): the mean, rounded to T as the CPU's, then the centred squares about
// it; mean and invStd = 1 / sqrt(var + eps) written by thread 0.
template <typename T>
__device__ void spatial_batch_norm_statistics(const T* x, int images, int channels, int length, double eps, T* mean, T* invStd) {
    __shared__ double shared[BN_THREADS];
    long long count = (long long) images * length;
    for (int c = blockIdx.x; c < channels; c += gridDim.x) {
        double sum = tree_sum(partial_sum(x, c, channels, length, count, threadIdx.x, blockDim.x), shared);
        T mu = (T) (sum / count);
        double squares = tree_sum(partial_centered_squares(x, c, channels, length, count, threadIdx.x, blockDim.x, (double) mu),
                                  shared);
        if (threadIdx.x == 0) {
            mean[c] = mu;
            invStd[c] = (T) (1.0 / sqrt(squares / count + eps));
        }
    }
}

// out = x scale + shift with scale = invStd weight, shift = bias - mean scale, folded per channel
// in double and applied in T, as the CPU's affine pass; weight and bias may be null (1 and 0).
template <typename T>
DESCENT_HD T spatial_batch_norm_element(long long index, const T* x, const T* mean, const T* invStd, const T* weight, const T* bias,
                                        int channels, int length) {
    int c = (int) ((index / length) % channels);
    double scale = (double) invStd[c] * (weight != nullptr ? (double) weight[c] : 1.0);
    double shift = (bias != nullptr ? (double) bias[c] : 0.0) - (double) mean[c] * scale;
    return x[index] * (T) scale + (T) shift;
}

template <typename T>
__device__ void spatial_batch_norm_normalize(const T* x, const T* mean, const T* invStd, const T* weight, const T* bias, T* out,
                                             int channels, int length, long long total) {
    GRID_STRIDE_LOOP(index, total) {
        out[index] = spatial_batch_norm_element(index, x, mean, invStd, weight, bias, channels, length);
    }
}

// One block per channel: sums[c] = sum grad, sums[C + c] = sum grad (x - mean) invStd, in double
// (kept in double for the input gradient, so it does not see them rounded to T), and rounded
// into gradBias / gradWeight where those are not null.
template <typename T>
__device__ void spatial_batch_norm_backward_sums(const T* grad, const T* x, const T* mean, const T* invStd, int images, int channels,
                                                 int length, double* sums, T* gradWeight, T* gradBias) {
    __shared__ double shared[BN_THREADS];
    long long count = (long long) images * length;
    for (int c = blockIdx.x; c < channels; c += gridDim.x) {
        double sumGrad = 0, sumGradCentered = 0;
        partial_gradient_sums(grad, x, c, channels, length, count, threadIdx.x, blockDim.x, (double) mean[c], sumGrad, sumGradCentered);
        sumGrad = tree_sum(sumGrad, shared);
        sumGradCentered = tree_sum(sumGradCentered, shared);
        if (threadIdx.x == 0) {
            double sumGradNormalized = sumGradCentered * (double) invStd[c];
            sums[c] = sumGrad;
            sums[channels + c] = sumGradNormalized;
            if (gradBias != nullptr) gradBias[c] = (T) sumGrad;
            if (gradWeight != nullptr) gradWeight[c] = (T) sumGradNormalized;
        }
    }
}

// gradInput = grad k1 + (x - mean) k2 + k0 with k1 = invStd weight, k2 = -k1 invStd sumGradNormalized / M,
// k0 = -k1 sumGrad / M (M = N L): the formula of FusedKernels.spatialBatchNormBackward, in double.
template <typename T>
DESCENT_HD T spatial_batch_norm_input_gradient_element(long long index, const T* grad, const T* x, const T* mean, const T* invStd,
                                                       const T* weight, const double* sums, int channels, int length, long long count) {
    int c = (int) ((index / length) % channels);
    double inverse = (double) invStd[c];
    double k1 = inverse * (weight != nullptr ? (double) weight[c] : 1.0);
    double k2 = -k1 * inverse * sums[channels + c] / count;
    double k0 = -k1 * sums[c] / count;
    return (T) ((double) grad[index] * k1 + ((double) x[index] - (double) mean[c]) * k2 + k0);
}

template <typename T>
__device__ void spatial_batch_norm_input_gradient(const T* grad, const T* x, const T* mean, const T* invStd, const T* weight,
                                                  const double* sums, T* gradInput, int channels, int length, long long total,
                                                  long long count) {
    GRID_STRIDE_LOOP(index, total) {
        gradInput[index] = spatial_batch_norm_input_gradient_element(index, grad, x, mean, invStd, weight, sums, channels, length, count);
    }
}

#define CONVOLUTION_KERNELS(suffix, T) \
    extern "C" __global__ void im2col_##suffix(const T* x, Strides4 s, ConvShape g, int images, T* columns) { \
        im2col(x, s, g, images, columns); } \
    extern "C" __global__ void col2im_##suffix(const T* columns, ConvShape g, int images, T* gradInput) { \
        col2im(columns, g, images, gradInput); } \
    extern "C" __global__ void conv_add_bias_##suffix(T* out, const T* bias, int biasStride, int outputs, long long plane, \
            long long count) { \
        add_bias(out, bias, biasStride, outputs, plane, count); } \
    extern "C" __global__ void conv_sum_images_##suffix(const T* partials, int images, long long size, int accumulate, T* out) { \
        sum_images(partials, images, size, accumulate, out); } \
    extern "C" __global__ void max_pool2d_##suffix(const T* x, Strides4 s, PoolShape g, int images, T* out, int* indices) { \
        max_pool2d(x, s, g, images, out, indices); } \
    extern "C" __global__ void max_pool2d_backward_##suffix(const T* grad, Strides4 s, const int* indices, int channels, int outputH, \
            int outputW, int planeIn, long long count, T* gradInput) { \
        max_pool2d_backward(grad, s, indices, channels, outputH, outputW, planeIn, count, gradInput); } \
    extern "C" __global__ void avg_pool2d_##suffix(const T* x, Strides4 s, PoolShape g, int images, int countIncludePad, T* out) { \
        avg_pool2d(x, s, g, images, countIncludePad, out); } \
    extern "C" __global__ void avg_pool2d_backward_##suffix(const T* grad, Strides4 s, PoolShape g, int images, int countIncludePad, \
            T* gradInput) { \
        avg_pool2d_backward(grad, s, g, images, countIncludePad, gradInput); } \
    extern "C" __global__ void spatial_batch_norm_statistics_##suffix(const T* x, int images, int channels, int length, double eps, \
            T* mean, T* invStd) { \
        spatial_batch_norm_statistics(x, images, channels, length, eps, mean, invStd); } \
    extern "C" __global__ void spatial_batch_norm_normalize_##suffix(const T* x, const T* mean, const T* invStd, const T* weight, \
            const T* bias, T* out, int channels, int length, long long total) { \
        spatial_batch_norm_normalize(x, mean, invStd, weight, bias, out, channels, length, total); } \
    extern "C" __global__ void spatial_batch_norm_backward_sums_##suffix(const T* grad, const T* x, const T* mean, const T* invStd, \
            int images, int channels, int length, double* sums, T* gradWeight, T* gradBias) { \
        spatial_batch_norm_backward_sums(grad, x, mean, invStd, images, channels, length, sums, gradWeight, gradBias); } \
    extern "C" __global__ void spatial_batch_norm_input_gradient_##suffix(const T* grad, const T* x, const T* mean, const T* invStd, \
            const T* weight, const double* sums, T* gradInput, int channels, int length, long long total, long long count) { \
        spatial_batch_norm_input_gradient(grad, x, mean, invStd, weight, sums, gradInput, channels, length, total, count); }

CONVOLUTION_KERNELS(f32, float)
CONVOLUTION_KERNELS(f64, double)
