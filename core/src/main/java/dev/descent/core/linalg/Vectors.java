package dev.descent.core.linalg;

/**
 * Dense-vector algebra on {@code double[]}, for the solvers here and the full-batch optimizers
 * built on a flat parameter vector: dot products, norms, and the few updates they need.
 */
public final class Vectors {
    private Vectors() {
    }

    /** a&#x1D40;b. */
    public static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** The Euclidean norm, scaled by the largest entry so that it neither overflows nor underflows. */
    public static double norm(double[] a) {
        double scale = 0;
        for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        if (scale == 0 || !Double.isFinite(scale)) {
            return scale;
        }
        double sum = 0;
        for (double v : a) {
            sum += (v / scale) * (v / scale);
        }
        return scale * Math.sqrt(sum);
    }

    /** max |a&#x1D62;|. */
    public static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    /** &Sigma; |a&#x1D62;|. */
    public static double sumAbs(double[] a) {
        double sum = 0;
        for (double v : a) {
            sum += Math.abs(v);
        }
        return sum;
    }

    /** x + t d, as a new array. */
    public static double[] along(double[] x, double t, double[] d) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] + t * d[i];
        }
        return out;
    }

    /** a &minus; b, as a new array. */
    public static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    /** s a, as a new array. */
    public static double[] scaled(double s, double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = s * a[i];
        }
        return out;
    }

    /** y &larr; y + s x. */
    public static void addScaled(double[] y, double s, double[] x) {
        for (int i = 0; i < y.length; i++) {
            y[i] += s * x[i];
        }
    }
}
