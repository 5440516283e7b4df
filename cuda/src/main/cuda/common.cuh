// Shared by every Descent kernel: how the host describes strided operands, and block reductions.
//
// The host (StridedLayout.java) merges dimensions that are contiguous in every operand and drops
// size-1 dimensions before packing, so most launches arrive with rank 1 and the index arithmetic
// below is a single multiply per operand.
#pragma once
#include <stdint.h>

#define DESCENT_MAX_DIMS 8
#define DESCENT_MAX_OPERANDS 4

// Up to four operands that share one shape (the output's): element i, in row-major order over
// size[0..rank), sits at offset[k] + sum_d coordinate_d * stride[k][d] in operand k. The layout is
// passed by value; its fields are all 32-bit ints, in this order, as StridedLayout packs them.
struct Layout {
    int rank;
    int size[DESCENT_MAX_DIMS];
    int stride[DESCENT_MAX_OPERANDS][DESCENT_MAX_DIMS];
    int offset[DESCENT_MAX_OPERANDS];
};

// Offsets of the first `count` operands for row-major element `i`.
template <int count>
__device__ __forceinline__ void offsets(const Layout& layout, long long i, long long (&result)[count]) {
    for (int k = 0; k < count; k++) {
        result[k] = layout.offset[k];
    }
    for (int d = layout.rank - 1; d >= 0; d--) {
        int size = layout.size[d];
        long long coordinate = i % size;
        i /= size;
        for (int k = 0; k < count; k++) {
            result[k] += coordinate * layout.stride[k][d];
        }
    }
}

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); i += (long long) blockDim.x * gridDim.x)

// Java's Math.max/min: NaN wins, and +0 is larger than -0 (CUDA's fmax returns the non-NaN one).
template <typename T>
__device__ __forceinline__ T java_max(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return signbit((double) a) ? b : a;
    return a > b ? a : b;
}
template <typename T>
__device__ __forceinline__ T java_min(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == b) return signbit((double) a) ? a : b;
    return a < b ? a : b;
}
template <>
__device__ __forceinline__ int java_max<int>(int a, int b) { return a > b ? a : b; }
template <>
__device__ __forceinline__ int java_min<int>(int a, int b) { return a < b ? a : b; }

// Sum over the block; every thread gets the total. `scratch` holds blockDim.x / 32 values.
template <typename T>
__device__ T block_sum(T value, T* scratch) {
    for (int offset = 16; offset > 0; offset /= 2) {
        value += __shfl_down_sync(0xffffffffu, value, offset);
    }
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) scratch[warp] = value;
    __syncthreads();
    int warps = (blockDim.x + 31) / 32;
    value = threadIdx.x < warps ? scratch[threadIdx.x] : (T) 0;
    if (warp == 0) {
        for (int offset = 16; offset > 0; offset /= 2) {
            value += __shfl_down_sync(0xffffffffu, value, offset);
        }
        if (lane == 0) scratch[0] = value;
    }
    __syncthreads();
    T total = scratch[0];
    __syncthreads();
    return total;
}
