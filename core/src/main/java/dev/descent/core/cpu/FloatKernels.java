package dev.descent.core.cpu;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.CompareOp;
import dev.descent.core.Backend.UnaryOp;

/** Row kernels on {@code float[]}: each processes {@code n} elements at a stride, the op chosen outside the loop. */
final class FloatKernels {
    private FloatKernels() {
    }

    static void unary(UnaryOp op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        if (xs == 1 && os == 1 && VectorSupport.enabled && VectorKernels.unary(op, x, xo, out, oo, n)) {
            return;
        }
        unaryStrided(op, x, xo, xs, out, oo, os, n);
    }

    static void unaryStrided(UnaryOp op, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i * os] = -x[xo + i * xs]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.abs(x[xo + i * xs]); }
            case SIGN -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.signum(x[xo + i * xs]); }
            case SQUARE -> { for (int i = 0; i < n; i++) { float v = x[xo + i * xs]; out[oo + i * os] = v * v; } }
            case RELU -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.max(x[xo + i * xs], 0f); }
            case EXP -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.exp(x[xo + i * xs]); }
            case EXPM1 -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.expm1(x[xo + i * xs]); }
            case LOG -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.log(x[xo + i * xs]); }
            case LOG1P -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.log1p(x[xo + i * xs]); }
            case SQRT -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.sqrt(x[xo + i * xs]); }
            case RSQRT -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) (1.0 / Math.sqrt(x[xo + i * xs])); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) out[oo + i * os] = 1f / x[xo + i * xs]; }
            case TANH -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.tanh(x[xo + i * xs]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) DoubleKernels.sigmoid(x[xo + i * xs]); }
            case ERF -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) ErrorFunction.erf(x[xo + i * xs]); }
            case SIN -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.sin(x[xo + i * xs]); }
            case COS -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.cos(x[xo + i * xs]); }
            case TAN -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.tan(x[xo + i * xs]); }
            case ATAN -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.atan(x[xo + i * xs]); }
        }
    }

    static void binary(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        if (os == 1 && VectorSupport.enabled && VectorKernels.binary(op, a, ao, as, b, bo, bs, out, oo, n)) {
            return;
        }
        binaryStrided(op, a, ao, as, b, bo, bs, out, oo, os, n);
    }

    static void binaryStrided(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] / b[bo + i * bs]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i * os] = (float) Math.pow(a[ao + i * as], b[bo + i * bs]); }
        }
    }

    static void compare(CompareOp op, float[] a, int ao, int as, float[] b, int bo, int bs, int[] out, int oo, int os, int n) {
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
