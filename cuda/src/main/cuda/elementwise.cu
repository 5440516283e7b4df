// Elementwise kernels over strided views: fill, copy with dtype conversion, unary and binary
// functions, comparisons and where. Operation codes are the ordinals of Backend's enums.
#include "common.cuh"

enum Unary { NEG, ABS, SIGN, SQUARE, RELU, EXP, EXPM1, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL, TANH, SIGMOID, ERF, SIN, COS, TAN, ATAN };
enum Binary { ADD, SUB, MUL, MAXIMUM, MINIMUM, DIV, POW };
enum Compare { EQ, NE, LT, LE, GT, GE };

template <typename T>
__device__ __forceinline__ T java_sign(T x) {
    return x > 0 ? (T) 1 : x < 0 ? (T) -1 : x;  // keeps NaN, +0 and -0 as Math.signum does
}

__device__ __forceinline__ float apply_unary(int op, float x) {
    switch (op) {
        case NEG: return -x;
        case ABS: return fabsf(x);
        case SIGN: return java_sign(x);
        case SQUARE: return x * x;
        case RELU: return java_max(x, 0.0f);
        case EXP: return expf(x);
        case EXPM1: return expm1f(x);
        case LOG: return logf(x);
        case LOG1P: return log1pf(x);
        case SQRT: return sqrtf(x);
        case RSQRT: return (float) (1.0 / sqrt((double) x));
        case RECIPROCAL: return 1.0f / x;
        case TANH: return tanhf(x);
        case SIGMOID: return (float) (1.0 / (1.0 + exp(-(double) x)));
        case ERF: return erff(x);
        case SIN: return sinf(x);
        case COS: return cosf(x);
        case TAN: return tanf(x);
        default: return atanf(x);
    }
}

__device__ __forceinline__ double apply_unary(int op, double x) {
    switch (op) {
        case NEG: return -x;
        case ABS: return fabs(x);
        case SIGN: return java_sign(x);
        case SQUARE: return x * x;
        case RELU: return java_max(x, 0.0);
        case EXP: return exp(x);
        case EXPM1: return expm1(x);
        case LOG: return log(x);
        case LOG1P: return log1p(x);
        case SQRT: return sqrt(x);
        case RSQRT: return 1.0 / sqrt(x);
        case RECIPROCAL: return 1.0 / x;
        case TANH: return tanh(x);
        case SIGMOID: return 1.0 / (1.0 + exp(-x));
        case ERF: return erf(x);
        case SIN: return sin(x);
        case COS: return cos(x);
        case TAN: return tan(x);
        default: return atan(x);
    }
}

// Integers take the ops closed over them only (NEG..RELU); Java's int arithmetic wraps.
__device__ __forceinline__ int apply_unary(int op, int x) {
    switch (op) {
        case NEG: return (int) (0u - (unsigned) x);
        case ABS: return x < 0 ? (int) (0u - (unsigned) x) : x;
        case SIGN: return (x > 0) - (x < 0);
        case SQUARE: return (int) ((unsigned) x * (unsigned) x);
        default: return x > 0 ? x : 0;
    }
}

__device__ __forceinline__ float apply_binary(int op, float a, float b) {
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case MAXIMUM: return java_max(a, b);
        case MINIMUM: return java_min(a, b);
        case DIV: return a / b;
        default: return (float) pow((double) a, (double) b);
    }
}

__device__ __forceinline__ double apply_binary(int op, double a, double b) {
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case MAXIMUM: return java_max(a, b);
        case MINIMUM: return java_min(a, b);
        case DIV: return a / b;
        default: return pow(a, b);
    }
}

__device__ __forceinline__ int apply_binary(int op, int a, int b) {
    switch (op) {
        case ADD: return (int) ((unsigned) a + (unsigned) b);
        case SUB: return (int) ((unsigned) a - (unsigned) b);
        case MUL: return (int) ((unsigned) a * (unsigned) b);
        case MAXIMUM: return a > b ? a : b;
        default: return a < b ? a : b;
    }
}

template <typename T>
__device__ __forceinline__ int apply_compare(int op, T a, T b) {
    switch (op) {
        case EQ: return a == b;
        case NE: return a != b;
        case LT: return a < b;
        case LE: return a <= b;
        case GT: return a > b;
        default: return a >= b;
    }
}

// Java's cast from floating point to int: NaN is 0, out-of-range values saturate, else truncate.
template <typename From>
__device__ __forceinline__ int java_to_int(From x) {
    if (x != x) return 0;
    if (x >= (From) 2147483647.0) return 2147483647;
    if (x <= (From) -2147483648.0) return (-2147483647 - 1);
    return (int) x;
}
template <typename From, typename To>
__device__ __forceinline__ To convert(From x) { return (To) x; }
template <> __device__ __forceinline__ int convert<float, int>(float x) { return java_to_int(x); }
template <> __device__ __forceinline__ int convert<double, int>(double x) { return java_to_int(x); }

template <typename T>
__device__ void fill(T* out, Layout layout, long long n, T value) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[1];
        offsets<1>(layout, i, o);
        out[o[0]] = value;
    }
}

// layout operands: 0 source, 1 out
template <typename From, typename To>
__device__ void copy(const From* source, To* out, Layout layout, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[2];
        offsets<2>(layout, i, o);
        out[o[1]] = convert<From, To>(source[o[0]]);
    }
}

// layout operands: 0 x, 1 out
template <typename T>
__device__ void unary(int op, const T* x, T* out, Layout layout, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[2];
        offsets<2>(layout, i, o);
        out[o[1]] = apply_unary(op, x[o[0]]);
    }
}

// layout operands: 0 a, 1 b, 2 out
template <typename T>
__device__ void binary(int op, const T* a, const T* b, T* out, Layout layout, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[3];
        offsets<3>(layout, i, o);
        out[o[2]] = apply_binary(op, a[o[0]], b[o[1]]);
    }
}

template <typename T>
__device__ void compare(int op, const T* a, const T* b, int* out, Layout layout, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[3];
        offsets<3>(layout, i, o);
        out[o[2]] = apply_compare(op, a[o[0]], b[o[1]]);
    }
}

// layout operands: 0 condition, 1 a, 2 b, 3 out
template <typename T>
__device__ void where(const int* condition, const T* a, const T* b, T* out, Layout layout, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        long long o[4];
        offsets<4>(layout, i, o);
        out[o[3]] = condition[o[0]] != 0 ? a[o[1]] : b[o[2]];
    }
}

#define FOR_EACH_TYPE(X) X(f32, float) X(f64, double) X(i32, int)

#define ELEMENTWISE_KERNELS(suffix, T) \
    extern "C" __global__ void fill_##suffix(T* out, Layout layout, long long n, T value) { fill(out, layout, n, value); } \
    extern "C" __global__ void unary_##suffix(int op, const T* x, T* out, Layout layout, long long n) { unary(op, x, out, layout, n); } \
    extern "C" __global__ void binary_##suffix(int op, const T* a, const T* b, T* out, Layout layout, long long n) { binary(op, a, b, out, layout, n); } \
    extern "C" __global__ void compare_##suffix(int op, const T* a, const T* b, int* out, Layout layout, long long n) { compare(op, a, b, out, layout, n); } \
    extern "C" __global__ void where_##suffix(const int* condition, const T* a, const T* b, T* out, Layout layout, long long n) { where(condition, a, b, out, layout, n); } \
    extern "C" __global__ void copy_##suffix##_f32(const T* source, float* out, Layout layout, long long n) { copy<T, float>(source, out, layout, n); } \
    extern "C" __global__ void copy_##suffix##_f64(const T* source, double* out, Layout layout, long long n) { copy<T, double>(source, out, layout, n); } \
    extern "C" __global__ void copy_##suffix##_i32(const T* source, int* out, Layout layout, long long n) { copy<T, int>(source, out, layout, n); }

FOR_EACH_TYPE(ELEMENTWISE_KERNELS)
