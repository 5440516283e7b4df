// Gather, scatter-add and index-select along one dimension. The host passes full, uncoalesced
// layouts (the indexed dimension must stay addressable): for gather and scatter-add the shared
// shape is the index's, operands 0 index, 1 the indexed array (its `dim` stride), 2 the other
// array; for index-select the shape is out's, operands 0 x, 1 out.
#include "common.cuh"

// An index outside [0, limit) is never followed (gather and index-select write 0, scatter-add
// skips it): the host counts such indices on the device and reports them at its next read
// (DeferredChecks), so a bad index must not fault the context meanwhile.

// Coordinate of element i along `dim` and the offsets of all three operands, the indexed one
// without its `dim` term.
__device__ __forceinline__ long long locate(const Layout& layout, int dim, long long i, long long (&o)[3]) {
    long long along = 0;
    for (int k = 0; k < 3; k++) o[k] = layout.offset[k];
    for (int d = layout.rank - 1; d >= 0; d--) {
        int size = layout.size[d];
        long long coordinate = i % size;
        i /= size;
        if (d == dim) along = coordinate;
        for (int k = 0; k < 3; k++) {
            if (!(k == 1 && d == dim)) o[k] += coordinate * layout.stride[k][d];
        }
    }
    return along;
}

// out[..., i, ...] = x[..., index[..., i, ...], ...]; operands: 0 index, 1 x, 2 out
template <typename T>
__device__ void gather(const T* x, const int* index, T* out, Layout layout, int dim, int limit, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[3];
        locate(layout, dim, i, o);
        int j = index[o[0]];
        out[o[2]] = j >= 0 && j < limit ? x[o[1] + (long long) j * layout.stride[1][dim]] : T(0);
    }
}

// out[..., index[..., i, ...], ...] += source[..., i, ...]; operands: 0 index, 1 out, 2 source
template <typename T>
__device__ void scatter_add(T* out, const int* index, const T* source, Layout layout, int dim, int limit, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[3];
        locate(layout, dim, i, o);
        int j = index[o[0]];
        if (j >= 0 && j < limit) atomicAdd(out + o[1] + (long long) j * layout.stride[1][dim], source[o[2]]);
    }
}

// out[..., j, ...] = x[..., index[j], ...]; operands: 0 x (its `dim` term replaced), 1 out
template <typename T>
__device__ void index_select(const T* x, const int* index, int indexStride, int indexOffset, T* out, Layout layout, int dim, int limit, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long rest = i, xo = layout.offset[0], oo = layout.offset[1];
        bool inside = true;
        for (int d = layout.rank - 1; d >= 0; d--) {
            int size = layout.size[d];
            long long coordinate = rest % size;
            rest /= size;
            long long source = d == dim ? index[indexOffset + coordinate * indexStride] : coordinate;
            if (d == dim) inside = source >= 0 && source < limit;
            xo += source * layout.stride[0][d];
            oo += coordinate * layout.stride[1][d];
        }
        out[oo] = inside ? x[xo] : T(0);
    }
}

// Adds to *counter how many elements of x lie outside [0, size), not counting those equal to ignore:
// the deferred range check of gathers and class targets (DeferredChecks), read at the host's next read.
extern "C" __global__ void count_out_of_range(const int* x, Layout layout, long long n, int size, int ignore, double* counter) {
    unsigned long long outside = 0;
    GRID_STRIDE_LOOP(i, n) {
        long long o[1];
        offsets<1>(layout, i, o);
        int value = x[o[0]];
        if (value != ignore && (value < 0 || value >= size)) outside++;
    }
    if (outside != 0) atomicAdd(counter, (double) outside);  // rare: only a bad index pays for the atomic
}

#define INDEXING_KERNELS(suffix, T) \
    extern "C" __global__ void gather_##suffix(const T* x, const int* index, T* out, Layout layout, int dim, int limit, long long n) { \
        gather(x, index, out, layout, dim, limit, n); } \
    extern "C" __global__ void scatter_add_##suffix(T* out, const int* index, const T* source, Layout layout, int dim, int limit, long long n) { \
        scatter_add(out, index, source, layout, dim, limit, n); } \
    extern "C" __global__ void index_select_##suffix(const T* x, const int* index, int indexStride, int indexOffset, T* out, Layout layout, int dim, int limit, long long n) { \
        index_select(x, index, indexStride, indexOffset, out, layout, dim, limit, n); }

INDEXING_KERNELS(f32, float)
INDEXING_KERNELS(f64, double)
INDEXING_KERNELS(i32, int)
