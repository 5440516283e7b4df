// Random fills from counter-based streams: element i (row-major) depends only on the key (one
// draw of the host's Generator) and i, so a fill needs no state and no ordering between threads.
//   Bernoulli: SplitMix64 of key + (i + 1) * golden gamma, exactly as the CPU backend computes it,
//              so a seeded dropout mask is the same on both devices.
//   Uniform, normal: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
//              SC 2011) with the 64-bit key and counter (i, 0, 0, 0).
#include "common.cuh"

#define GOLDEN_GAMMA 0x9E3779B97F4A7C15ull

__device__ __forceinline__ unsigned long long split_mix(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

template <typename T>
__device__ void bernoulli(T* out, Layout layout, long long n, unsigned long long key, unsigned long long threshold, T value) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[1];
        offsets<1>(layout, i, o);
        unsigned long long bits = split_mix(key + (unsigned long long) (i + 1) * GOLDEN_GAMMA);
        out[o[0]] = (bits >> 11) < threshold ? value : (T) 0;
    }
}

struct Philox {
    unsigned int word[4];
};

__device__ __forceinline__ Philox philox(unsigned long long counter, unsigned long long key) {
    unsigned int c0 = (unsigned int) counter, c1 = (unsigned int) (counter >> 32), c2 = 0, c3 = 0;
    unsigned int k0 = (unsigned int) key, k1 = (unsigned int) (key >> 32);
    for (int round = 0; round < 10; round++) {
        unsigned int hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    Philox result = {{c0, c1, c2, c3}};
    return result;
}

// Uniform on [0, 1) from 53 random bits.
__device__ __forceinline__ double unit(unsigned int high, unsigned int low) {
    return (double) ((((unsigned long long) high << 32) | low) >> 11) * 0x1.0p-53;
}

// distribution: 0 uniform on [a, b), 1 normal with mean a and standard deviation b
template <typename T>
__device__ void philox_fill(T* out, Layout layout, long long n, unsigned long long key, int distribution, double a, double b) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[1];
        offsets<1>(layout, i, o);
        Philox r = philox((unsigned long long) i, key);
        double u = unit(r.word[0], r.word[1]);
        T value;
        if (distribution == 0) {
            value = (T) (a + (b - a) * u);
            if (!(value < (T) b) && a != b) value = nextafter((T) b, (T) a);  // rounding may reach b
        } else {
            double v = unit(r.word[2], r.word[3]);
            value = (T) (a + b * sqrt(-2.0 * log(1.0 - u)) * cospi(2.0 * v));
        }
        out[o[0]] = value;
    }
}

#define RANDOM_KERNELS(suffix, T) \
    extern "C" __global__ void bernoulli_##suffix(T* out, Layout layout, long long n, unsigned long long key, unsigned long long threshold, T value) { \
        bernoulli(out, layout, n, key, threshold, value); } \
    extern "C" __global__ void philox_##suffix(T* out, Layout layout, long long n, unsigned long long key, int distribution, double a, double b) { \
        philox_fill(out, layout, n, key, distribution, a, b); } \
    /* in a captured graph the key is read from device memory, which the host rewrites before each replay */ \
    extern "C" __global__ void bernoulli_keyed_##suffix(T* out, Layout layout, long long n, const unsigned long long* key, unsigned long long threshold, T value) { \
        bernoulli(out, layout, n, *key, threshold, value); } \
    extern "C" __global__ void philox_keyed_##suffix(T* out, Layout layout, long long n, const unsigned long long* key, int distribution, double a, double b) { \
        philox_fill(out, layout, n, *key, distribution, a, b); }

RANDOM_KERNELS(f32, float)
RANDOM_KERNELS(f64, double)
