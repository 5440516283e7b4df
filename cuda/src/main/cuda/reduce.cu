// Reductions. The host splits x's dimensions into kept ones (`outer`: operand 0 x, operand 1 out)
// and reduced ones (`inner`: operand 0 x, offsets 0); one block reduces one output element at a
// time, its threads striding over the reduced elements.
#include "common.cuh"

enum Reduce { SUM, PROD, MAX, MIN };

template <typename T>
__device__ __forceinline__ T identity(int op) {
    switch (op) {
        case SUM: return (T) 0;
        case PROD: return (T) 1;
        default: return (T) 0;  // MAX and MIN start from the first element instead
    }
}

template <typename T>
__device__ __forceinline__ T combine(int op, T a, T b) {
    switch (op) {
        case SUM: return a + b;
        case PROD: return a * b;
        case MAX: return java_max(a, b);
        default: return java_min(a, b);
    }
}

// Accumulates float sums and products in double, as the CPU kernels' float64 totals do.
template <typename T> struct Accumulator { typedef T type; };
template <> struct Accumulator<float> { typedef double type; };

template <typename T>
__device__ void reduce(int op, const T* x, T* out, Layout outer, long long outputs, Layout inner, long long count) {
    typedef typename Accumulator<T>::type A;
    __shared__ A values[1024];
    __shared__ unsigned char present[1024];
    for (long long j = blockIdx.x; j < outputs; j += gridDim.x) {
        long long o[2];
        offsets<2>(outer, j, o);
        A value = identity<A>(op);
        bool any = false;
        for (long long i = threadIdx.x; i < count; i += blockDim.x) {
            long long r[1];
            offsets<1>(inner, i, r);
            A element = (A) x[o[0] + r[0]];
            value = (op >= MAX && !any) ? element : combine<A>(op, value, element);
            any = true;
        }
        values[threadIdx.x] = value;
        present[threadIdx.x] = any;
        __syncthreads();
        for (int half = blockDim.x / 2; half > 0; half /= 2) {
            if (threadIdx.x < half && present[threadIdx.x + half]) {
                A other = values[threadIdx.x + half];
                values[threadIdx.x] = present[threadIdx.x] ? combine<A>(op, values[threadIdx.x], other) : other;
                present[threadIdx.x] = 1;
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            out[o[1]] = (T) values[0];
        }
        __syncthreads();
    }
}

// The first index of the largest (MAX) or smallest (MIN) element; NaN beats every number.
template <typename T>
__device__ __forceinline__ bool better(int op, T candidate, long long candidateIndex, T best, long long bestIndex) {
    if (bestIndex < 0) return true;
    bool candidateNaN = candidate != candidate, bestNaN = best != best;
    if (candidateNaN || bestNaN) {
        return candidateNaN && (!bestNaN || candidateIndex < bestIndex);
    }
    if (candidate == best) return candidateIndex < bestIndex;
    return op == MAX ? candidate > best : candidate < best;
}

template <typename T>
__device__ void arg_reduce(int op, const T* x, int* out, Layout outer, long long outputs, int length, int stride) {
    __shared__ T values[1024];
    __shared__ long long indices[1024];
    for (long long j = blockIdx.x; j < outputs; j += gridDim.x) {
        long long o[2];
        offsets<2>(outer, j, o);
        T best = (T) 0;
        long long bestIndex = -1;
        for (int i = threadIdx.x; i < length; i += blockDim.x) {
            T element = x[o[0] + (long long) i * stride];
            if (better(op, element, i, best, bestIndex)) {
                best = element;
                bestIndex = i;
            }
        }
        values[threadIdx.x] = best;
        indices[threadIdx.x] = bestIndex;
        __syncthreads();
        for (int half = blockDim.x / 2; half > 0; half /= 2) {
            if (threadIdx.x < half) {
                long long otherIndex = indices[threadIdx.x + half];
                if (otherIndex >= 0 && better(op, values[threadIdx.x + half], otherIndex, values[threadIdx.x], indices[threadIdx.x])) {
                    values[threadIdx.x] = values[threadIdx.x + half];
                    indices[threadIdx.x] = otherIndex;
                }
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            out[o[1]] = (int) indices[0];
        }
        __syncthreads();
    }
}

// Sum of squares of every element, added in double to *total (which the host zeroes).
template <typename T>
__device__ void sum_of_squares(const T* x, Layout layout, long long n, double* total) {
    __shared__ double scratch[32];
    double value = 0;
    GRID_STRIDE_LOOP(i, n) {
        long long o[1];
        offsets<1>(layout, i, o);
        double element = (double) x[o[0]];
        value += element * element;
    }
    value = block_sum(value, scratch);
    if (threadIdx.x == 0) {
        atomicAdd(total, value);
    }
}

#define REDUCE_KERNELS(suffix, T) \
    extern "C" __global__ void reduce_##suffix(int op, const T* x, T* out, Layout outer, long long outputs, Layout inner, long long count) { \
        reduce(op, x, out, outer, outputs, inner, count); } \
    extern "C" __global__ void arg_reduce_##suffix(int op, const T* x, int* out, Layout outer, long long outputs, int length, int stride) { \
        arg_reduce(op, x, out, outer, outputs, length, stride); }

REDUCE_KERNELS(f32, float)
REDUCE_KERNELS(f64, double)
REDUCE_KERNELS(i32, int)

extern "C" __global__ void sum_of_squares_f32(const float* x, Layout layout, long long n, double* total) { sum_of_squares(x, layout, n, total); }
extern "C" __global__ void sum_of_squares_f64(const double* x, Layout layout, long long n, double* total) { sum_of_squares(x, layout, n, total); }
