package dev.descent.core.cpu;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.CompareOp;
import dev.descent.core.Backend.UnaryOp;

/** Row kernels on {@code double[]}: each processes {@code n} elements at a stride, the op chosen outside the loop. */
final class DoubleKernels {
    private DoubleKernels() {
    }

    static void unary(UnaryOp op, double[] x, int xo, int xs, double[] out, int oo, int os, int n) {
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) out[oo + i * os] = -x[xo + i * xs]; }
            case ABS -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.abs(x[xo + i * xs]); }
            case SIGN -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.signum(x[xo + i * xs]); }
            case SQUARE -> { for (int i = 0; i < n; i++) { double v = x[xo + i * xs]; out[oo + i * os] = v * v; } }
            case RELU -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.max(x[xo + i * xs], 0.0); }
            case EXP -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.exp(x[xo + i * xs]); }
            case EXPM1 -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.expm1(x[xo + i * xs]); }
            case LOG -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.log(x[xo + i * xs]); }
            case LOG1P -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.log1p(x[xo + i * xs]); }
            case SQRT -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.sqrt(x[xo + i * xs]); }
            case RSQRT -> { for (int i = 0; i < n; i++) out[oo + i * os] = 1.0 / Math.sqrt(x[xo + i * xs]); }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) out[oo + i * os] = 1.0 / x[xo + i * xs]; }
            case TANH -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.tanh(x[xo + i * xs]); }
            case SIGMOID -> { for (int i = 0; i < n; i++) out[oo + i * os] = sigmoid(x[xo + i * xs]); }
            case ERF -> { for (int i = 0; i < n; i++) out[oo + i * os] = ErrorFunction.erf(x[xo + i * xs]); }
            case SIN -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.sin(x[xo + i * xs]); }
            case COS -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.cos(x[xo + i * xs]); }
            case TAN -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.tan(x[xo + i * xs]); }
            case ATAN -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.atan(x[xo + i * xs]); }
        }
    }

    static void binary(BinaryOp op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] out, int oo, int os, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] + b[bo + i * bs]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] - b[bo + i * bs]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] * b[bo + i * bs]; }
            case DIV -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] / b[bo + i * bs]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.max(a[ao + i * as], b[bo + i * bs]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.min(a[ao + i * as], b[bo + i * bs]); }
            case POW -> { for (int i = 0; i < n; i++) out[oo + i * os] = Math.pow(a[ao + i * as], b[bo + i * bs]); }
        }
    }

    static void compare(CompareOp op, double[] a, int ao, int as, double[] b, int bo, int bs, int[] out, int oo, int os, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] == b[bo + i * bs] ? 1 : 0; }
            case NE -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] != b[bo + i * bs] ? 1 : 0; }
            case LT -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] < b[bo + i * bs] ? 1 : 0; }
            case LE -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] <= b[bo + i * bs] ? 1 : 0; }
            case GT -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] > b[bo + i * bs] ? 1 : 0; }
            case GE -> { for (int i = 0; i < n; i++) out[oo + i * os] = a[ao + i * as] >= b[bo + i * bs] ? 1 : 0; }
        }
    }

    /** The logistic function, evaluated so that neither branch overflows. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}
