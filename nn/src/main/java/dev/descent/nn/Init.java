package dev.descent.nn;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.Locale;

/**
 * Weight initialization, in place, with the formulas of {@code torch.nn.init}. Every draw comes
 * from a {@link Generator}: the one passed, or the shared default that {@link #manualSeed} resets.
 *
 * <pre>{@code
 * Init.manualSeed(42);                                        // as torch.manual_seed
 * Linear layer = new Linear(784, 512);                        // PyTorch's default initialization
 * Init.kaimingNormal(layer.weight(), 0, FanMode.FAN_IN, "relu", new Generator(1));
 * }</pre>
 */
public final class Init {
    /** Which fan a Kaiming initializer preserves the variance of. */
    public enum FanMode { FAN_IN, FAN_OUT }

    private static Generator defaultGenerator = new Generator(0);

    private Init() {
    }

    /** The shared generator used when none is passed. */
    public static synchronized Generator defaultGenerator() {
        return defaultGenerator;
    }

    /** Restarts the shared generator from {@code seed}. */
    public static synchronized void manualSeed(long seed) {
        defaultGenerator = new Generator(seed);
    }

    /**
     * The recommended gain for a nonlinearity: 1 for linear and sigmoid, 5/3 for tanh, sqrt(2) for
     * relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope {@code param}, default 0.01), 3/4 for selu.
     */
    public static double calculateGain(String nonlinearity, double param) {
        return switch (nonlinearity.toLowerCase(Locale.ROOT)) {
            case "linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> Math.sqrt(2.0 / (1 + (Double.isNaN(param) ? 0.01 : param) * (Double.isNaN(param) ? 0.01 : param)));
            case "selu" -> 0.75;
            default -> throw new IllegalArgumentException("calculateGain: unknown nonlinearity '" + nonlinearity
                    + "' (expected linear, sigmoid, tanh, relu, leaky_relu or selu)");
        };
    }

    /** fan_in and fan_out of a weight of shape {@code [out, in, kernel...]}. */
    static int[] fans(String op, int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(op + ": fan in and fan out need at least 2 dimensions, got shape "
                    + java.util.Arrays.toString(shape));
        }
        int receptive = 1;
        for (int d = 2; d < shape.length; d++) {
            receptive *= shape[d];
        }
        return new int[] {shape[1] * receptive, shape[0] * receptive};
    }

    /** U(a, b). */
    public static Tensor uniform(Tensor tensor, double a, double b, Generator generator) {
        if (!(a <= b)) {
            throw new IllegalArgumentException("uniform: a (" + a + ") must not exceed b (" + b + ")");
        }
        NDArray values = NDArray.rand(DType.FLOAT64, generator, tensor.shape()).muli(b - a).addi(a);
        return write(tensor, values);
    }

    /** N(mean, std^2). */
    public static Tensor normal(Tensor tensor, double mean, double std, Generator generator) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal: std must be >= 0, got " + std);
        }
        NDArray values = NDArray.randn(DType.FLOAT64, generator, tensor.shape()).muli(std).addi(mean);
        return write(tensor, values);
    }

    public static Tensor constant(Tensor tensor, double value) {
        return write(tensor, NDArray.full(DType.FLOAT64, value, tensor.shape()));
    }

    public static Tensor zeros(Tensor tensor) {
        return constant(tensor, 0);
    }

    public static Tensor ones(Tensor tensor) {
        return constant(tensor, 1);
    }

    /** Glorot: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor tensor, double gain, Generator generator) {
        int[] fans = fans("xavierUniform", tensor.shape());
        double bound = gain * Math.sqrt(6.0 / (fans[0] + fans[1]));
        return uniform(tensor, -bound, bound, generator);
    }

    /** Glorot: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
    public static Tensor xavierNormal(Tensor tensor, double gain, Generator generator) {
        int[] fans = fans("xavierNormal", tensor.shape());
        return normal(tensor, 0, gain * Math.sqrt(2.0 / (fans[0] + fans[1])), generator);
    }

    /**
     * He: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculateGain(nonlinearity, a) and fan
     * chosen by {@code mode}. PyTorch's Linear uses a = sqrt(5), leaky_relu, fan_in: b = 1/sqrt(fan_in).
     */
    public static Tensor kaimingUniform(Tensor tensor, double a, FanMode mode, String nonlinearity, Generator generator) {
        double bound = Math.sqrt(3.0) * kaimingStd("kaimingUniform", tensor, a, mode, nonlinearity);
        return uniform(tensor, -bound, bound, generator);
    }

    /** He: N(0, std^2) with std = gain / sqrt(fan). */
    public static Tensor kaimingNormal(Tensor tensor, double a, FanMode mode, String nonlinearity, Generator generator) {
        return normal(tensor, 0, kaimingStd("kaimingNormal", tensor, a, mode, nonlinearity), generator);
    }

    private static double kaimingStd(String op, Tensor tensor, double a, FanMode mode, String nonlinearity) {
        int[] fans = fans(op, tensor.shape());
        int fan = mode == FanMode.FAN_IN ? fans[0] : fans[1];
        if (fan == 0) {
            throw new IllegalArgumentException(op + ": the fan is 0 for shape " + java.util.Arrays.toString(tensor.shape()));
        }
        return calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    /**
     * A (semi-)orthogonal matrix times {@code gain}: the Q of a QR decomposition of a standard
     * normal matrix (rows and columns swapped when there are more columns), with the signs fixed
     * so that R has a positive diagonal, as in PyTorch. Dimensions past the first are flattened.
     */
    public static Tensor orthogonal(Tensor tensor, double gain, Generator generator) {
        int[] shape = tensor.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("orthogonal: needs at least 2 dimensions, got shape " + java.util.Arrays.toString(shape));
        }
        int rows = shape[0];
        int columns = tensor.size() / Math.max(rows, 1);
        boolean transpose = rows < columns;
        int m = transpose ? columns : rows;
        int n = transpose ? rows : columns;
        double[] q = NDArray.randn(DType.FLOAT64, generator, m, n).toDoubleArray();
        orthonormalizeColumns(q, m, n);
        NDArray result = NDArray.of(q, m, n);
        if (transpose) {
            result = result.t();
        }
        return write(tensor, result.muli(gain).reshape(shape));
    }

    /**
     * Modified Gram-Schmidt on the columns of a row-major m x n matrix (m >= n), twice for
     * accuracy: afterwards the columns are orthonormal and equal to QR's Q with a positive diagonal of R.
     */
    private static void orthonormalizeColumns(double[] a, int m, int n) {
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < j; k++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) {
                        dot += a[i * n + k] * a[i * n + j];
                    }
                    for (int i = 0; i < m; i++) {
                        a[i * n + j] -= dot * a[i * n + k];
                    }
                }
                double norm = 0;
                for (int i = 0; i < m; i++) {
                    norm += a[i * n + j] * a[i * n + j];
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < m; i++) {
                    a[i * n + j] /= norm;
                }
            }
        }
    }

    private static Tensor write(Tensor tensor, NDArray values) {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            tensor.copyFrom(Tensor.of(values.astype(tensor.dtype())));
        }
        return tensor;
    }
}
