package dev.descent.core;

import dev.descent.core.Backend.Distribution;
import java.util.Arrays;

/** The bodies of NDArray's factories: ranges, the identity, host data and random draws. */
final class ArrayCreation {
    private ArrayCreation() {
    }

    static NDArray arange(int start, int end, int step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must be non-zero");
        }
        int count = (int) Math.max(0, ((long) end - start + step - Long.signum(step)) / step);
        int[] values = new int[count];
        for (int i = 0; i < count; i++) {
            values[i] = start + i * step;
        }
        return NDArray.of(values, count);
    }

    static NDArray arange(double start, double end, double step) {
        if (step == 0 || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange: start, end and step must be finite and step non-zero, got "
                    + start + ", " + end + ", " + step);
        }
        int count = (int) Math.max(0, Math.ceil((end - start) / step));
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (start + i * step);
        }
        return NDArray.of(values, count);
    }

    static NDArray linspace(DType dtype, double start, double end, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        }
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("linspace: dtype must be floating point, got " + dtype);
        }
        double[] values = new double[steps];
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        for (int i = 0; i < steps; i++) {
            // fill from both ends so the last value is exactly end
            values[i] = i <= (steps - 1) / 2 ? start + i * step : end - (steps - 1 - i) * step;
        }
        return NDArray.of(values, steps).astype(dtype);
    }

    static NDArray eye(DType dtype, int n) {
        NDArray result = NDArray.zeros(dtype, n, n);
        // the diagonal is a view with stride n + 1
        new NDArray(result.storage(), new int[] {n}, new int[] {n + 1}, 0).fill(1);
        return result;
    }

    static NDArray fromHost(String op, Object data, int length, int[] shape) {
        int[] sizes = shape.length == 0 ? new int[] {length} : Shape.checkSizes(op, shape);
        if (Shape.numel(sizes) != length) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + Arrays.toString(sizes)
                    + " (" + Shape.numel(sizes) + " elements)");
        }
        return new NDArray(Backends.forDevice(Device.CPU).upload(data), sizes, Shape.contiguousStrides(sizes), 0);
    }

    static NDArray random(String op, Distribution distribution, double a, double b, DType dtype,
                                  Generator generator, int[] shape) {
        if (generator == null) {
            throw new IllegalArgumentException(op + ": a Generator is required (new Generator(seed))");
        }
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": dtype must be floating point, got " + dtype);
        }
        NDArray out = NDArray.empty(dtype, Shape.checkSizes(op, shape), Device.CPU);
        out.backend().random(distribution, a, b, generator, out);
        return out;
    }
}
