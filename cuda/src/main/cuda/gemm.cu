// The project's own matrix product, used when cuBLAS is not loadable: C[b] = A[b] B[b] (+ C[b]),
// row-major C (m x n, leading dimension ldc); A (m x k) and B (k x n) may each be stored
// transposed. Classic shared-memory tiling: a block computes a 64 x 64 tile of C in steps of 16
// along k, each of its 256 threads holding a 4 x 4 grid of accumulators (rows ty + 16 r, columns
// tx + 16 c, so neighbouring threads touch neighbouring columns of the shared tiles).
#include "common.cuh"

#define TILE 64
#define DEPTH 16

struct Operand {
    long long offset;
    long long batchStride;
    int leadingDimension;
    int transposed;
};

template <typename T>
__device__ __forceinline__ T element(const T* base, const Operand& operand, long long batchOffset, int row, int column) {
    long long index = operand.transposed ? (long long) column * operand.leadingDimension + row
                                         : (long long) row * operand.leadingDimension + column;
    return base[batchOffset + index];
}

template <typename T>
__device__ void gemm(int m, int n, int k, const T* a, Operand ao, const T* b, Operand bo, T* c, Operand co, int accumulate) {
    __shared__ T tileA[DEPTH][TILE + 1];
    __shared__ T tileB[DEPTH][TILE + 1];
    int batch = blockIdx.z;
    long long aBase = ao.offset + batch * ao.batchStride;
    long long bBase = bo.offset + batch * bo.batchStride;
    long long cBase = co.offset + batch * co.batchStride;
    int row0 = blockIdx.y * TILE, column0 = blockIdx.x * TILE;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    T sum[4][4] = {};
    for (int p0 = 0; p0 < k; p0 += DEPTH) {
        for (int e = threadIdx.x; e < TILE * DEPTH; e += blockDim.x) {
            // walk the stored matrix's contiguous direction with consecutive threads
            int i, p;
            if (ao.transposed) { i = e % TILE; p = e / TILE; } else { p = e % DEPTH; i = e / DEPTH; }
            int row = row0 + i, depth = p0 + p;
            tileA[p][i] = row < m && depth < k ? element(a, ao, aBase, row, depth) : (T) 0;
            int j, q;
            if (bo.transposed) { q = e % DEPTH; j = e / DEPTH; } else { j = e % TILE; q = e / TILE; }
            int column = column0 + j;
            depth = p0 + q;
            tileB[q][j] = column < n && depth < k ? element(b, bo, bBase, depth, column) : (T) 0;
        }
        __syncthreads();
        for (int p = 0; p < DEPTH; p++) {
            T left[4], right[4];
            for (int r = 0; r < 4; r++) left[r] = tileA[p][ty + 16 * r];
            for (int s = 0; s < 4; s++) right[s] = tileB[p][tx + 16 * s];
            for (int r = 0; r < 4; r++)
                for (int s = 0; s < 4; s++)
                    sum[r][s] += left[r] * right[s];
        }
        __syncthreads();
    }
    for (int r = 0; r < 4; r++) {
        int row = row0 + ty + 16 * r;
        if (row >= m) continue;
        for (int s = 0; s < 4; s++) {
            int column = column0 + tx + 16 * s;
            if (column >= n) continue;
            T* target = c + cBase + (long long) row * co.leadingDimension + column;
            *target = accumulate ? *target + sum[r][s] : sum[r][s];
        }
    }
}

extern "C" __global__ void gemm_f32(int m, int n, int k, const float* a, Operand ao, const float* b, Operand bo, float* c, Operand co, int accumulate) {
    gemm(m, n, k, a, ao, b, bo, c, co, accumulate);
}
extern "C" __global__ void gemm_f64(int m, int n, int k, const double* a, Operand ao, const double* b, Operand bo, double* c, Operand co, int accumulate) {
    gemm(m, n, k, a, ao, b, bo, c, co, accumulate);
}
