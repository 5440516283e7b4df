package dev.descent.core.cpu;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.CompareOp;
import dev.descent.core.Backend.UnaryOp;

/**
 * Row kernels on {@code int[]}, for the ops that are closed over the integers (the array code
 * promotes INT32 to FLOAT32 for the others). Overflow wraps around, as in Java and PyTorch.
 */
final class IntKernels {
    private IntKernels() {
    }

    static void unary(UnaryOp op, int[] x, int xo, int xs, int[] out, int oo, int os, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i * os] = -x[xo + i * xs]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.abs(x[xo + i * xs]); }
            case SIGN -> { for (int i = 0; i < n; i++) out[oo + i * os] = Integer.signum(x[xo + i * xs]); }
            case SQUARE -> { for (int i = 0; i < n; i++) { int v = x[xo + i * xs]; out[oo + i * os] = v * v; } }
            case RELU -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.max(x[xo + i * xs], 0); }
            default -> throw new IllegalStateException("IntKernels: " + op + " is not defined on INT32");
        }
    }

    static void binary(BinaryOp op, int[] a, int ao, int as, int[] b, int bo, int bs, int[] out, int oo, int os, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] * b[bo + i * bs]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            default -> throw new IllegalStateException("IntKernels: " + op + " is not defined on INT32");
        }
    }

    static void compare(CompareOp op, int[] a, int ao, int as, int[] b, int bo, int bs, int[] out, int oo, int os, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] == b[bo + i * bs] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] != b[bo + i * bs] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] < b[bo + i * bs] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] <= b[bo + i * bs] ? 1 : 0; }
            case GT -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] > b[bo + i * bs] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] >= b[bo + i * bs] ? 1 : 0; }
        }
    }
}
