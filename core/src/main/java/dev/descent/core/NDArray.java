package dev.descent.core;

import dev.descent.core.Backend.BinaryOp;
import dev.descent.core.Backend.CompareOp;
import dev.descent.core.Backend.Distribution;
import dev.descent.core.Backend.ReduceOp;
import dev.descent.core.Backend.UnaryOp;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array of {@link DType#FLOAT32}, {@link DType#FLOAT64} or {@link DType#INT32}
 * elements on a {@link Device}: a strided view (shape, strides, offset) of a {@link Storage}.
 *
 * <pre>{@code
 * Generator g = new Generator(0);
 * NDArray x = NDArray.randn(g, 128, 784);          // FLOAT32 [128, 784]
 * NDArray w = NDArray.rand(g, 784, 10).subi(0.5);  // in place: w -= 0.5
 * NDArray logits = x.matmul(w).add(NDArray.ones(10));
 * NDArray predicted = logits.argmax(1);            // INT32 [128]
 * }</pre>
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Copies and views.</b> Operations return new arrays; the view operations
 *       ({@code view}, {@code reshape} of a contiguous array, {@code transpose}, {@code permute},
 *       {@code squeeze}, {@code unsqueeze}, {@code expand}, {@code narrow}, {@code slice},
 *       {@code select}, {@code split}) share storage with their source, so writing through one is
 *       seen by the other. Methods ending in {@code i} ({@code addi}, {@code muli}, ...) and
 *       {@code fill}, {@code copyFrom}, {@code set} write into the receiver and return it.</li>
 *   <li><b>Broadcasting</b> follows NumPy (see {@link Shape#broadcast}).</li>
 *   <li><b>Dtypes</b> promote as documented in {@link DType}.</li>
 *   <li><b>Errors.</b> Bad arguments throw {@link IllegalArgumentException} (or
 *       {@link IndexOutOfBoundsException} for indices) naming the operation and what it got.</li>
 * </ul>
 */
public final class NDArray {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    /** A view of {@code storage}; for backends and this package (arguments are trusted). */
    NDArray(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /**
     * A view of a backend's storage, for code that implements a {@link Backend}. The shape, strides
     * and offset must stay inside the storage.
     */
    public static NDArray wrap(Storage storage, int[] shape, int[] strides, int offset) {
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException("wrap: negative size in shape " + Arrays.toString(shape));
            }
            if (shape[d] > 0) {
                last += (long) (shape[d] - 1) * strides[d];
            }
        }
        if (Shape.numel(shape) > 0 && (offset < 0 || last >= storage.size() || last < 0)) {
            throw new IndexOutOfBoundsException("wrap: shape " + Arrays.toString(shape) + " with strides "
                    + Arrays.toString(strides) + " at offset " + offset + " reaches outside a storage of " + storage.size());
        }
        return new NDArray(storage, shape.clone(), strides.clone(), offset);
    }

    // ---------------------------------------------------------------- creation

    /** A new array of zeros on {@code device}, with contiguous row-major layout. */
    public static NDArray empty(DType dtype, int[] shape, Device device) {
        int[] sizes = Shape.checkSizes("empty", shape);
        Storage storage = Backends.forDevice(device).allocate(dtype, Shape.numel(sizes));
        return new NDArray(storage, sizes, Shape.contiguousStrides(sizes), 0);
    }

    /** FLOAT32 zeros. */
    public static NDArray zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    /** Zeros of the given dtype. */
    public static NDArray zeros(DType dtype, int... shape) {
        return empty(dtype, Shape.checkSizes("zeros", shape), Device.CPU);
    }

    /** FLOAT32 ones. */
    public static NDArray ones(int... shape) {
        return full(DType.FLOAT32, 1, shape);
    }

    /** Ones of the given dtype. */
    public static NDArray ones(DType dtype, int... shape) {
        return full(dtype, 1, shape);
    }

    /** A FLOAT32 array with every element {@code value}. */
    public static NDArray full(double value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    /** An array of the given dtype with every element {@code value}; an INT32 value must be a whole number. */
    public static NDArray full(DType dtype, double value, int... shape) {
        checkRepresentable("full", dtype, value);
        return empty(dtype, Shape.checkSizes("full", shape), Device.CPU).fill(value);
    }

    /** A 0-d FLOAT32 array holding {@code value}. */
    public static NDArray scalar(double value) {
        return full(DType.FLOAT32, value);
    }

    /** A 0-d array of the given dtype holding {@code value}. */
    public static NDArray scalar(DType dtype, double value) {
        return full(dtype, value);
    }

    /** INT32 {@code [0, 1, ..., end - 1]}. */
    public static NDArray arange(int end) {
        return arange(0, end, 1);
    }

    /** INT32 values from {@code start} (inclusive) to {@code end} (exclusive) by {@code step}. */
    public static NDArray arange(int start, int end, int step) {
        return ArrayCreation.arange(start, end, step);
    }

    /** FLOAT32 values {@code start + i * step} below {@code end} (above it for a negative step). */
    public static NDArray arange(double start, double end, double step) {
        return ArrayCreation.arange(start, end, step);
    }

    /** {@code steps} evenly spaced FLOAT32 values from {@code start} to {@code end}, both included. */
    public static NDArray linspace(double start, double end, int steps) {
        return linspace(DType.FLOAT32, start, end, steps);
    }

    /** {@code steps} evenly spaced values of a floating-point dtype from {@code start} to {@code end}. */
    public static NDArray linspace(DType dtype, double start, double end, int steps) {
        return ArrayCreation.linspace(dtype, start, end, steps);
    }

    /** The FLOAT32 {@code n x n} identity matrix. */
    public static NDArray eye(int n) {
        return eye(DType.FLOAT32, n);
    }

    /** The {@code n x n} identity matrix of the given dtype. */
    public static NDArray eye(DType dtype, int n) {
        return ArrayCreation.eye(dtype, n);
    }

    /** A FLOAT32 array holding a copy of {@code data}; without a shape it is 1-d. */
    public static NDArray of(float[] data, int... shape) {
        return ArrayCreation.fromHost("of", data, data.length, shape);
    }

    /** A FLOAT64 array holding a copy of {@code data}; without a shape it is 1-d. */
    public static NDArray of(double[] data, int... shape) {
        return ArrayCreation.fromHost("of", data, data.length, shape);
    }

    /** An INT32 array holding a copy of {@code data}; without a shape it is 1-d. */
    public static NDArray of(int[] data, int... shape) {
        return ArrayCreation.fromHost("of", data, data.length, shape);
    }


    /** FLOAT32 draws uniform on [0, 1). */
    public static NDArray rand(Generator generator, int... shape) {
        return rand(DType.FLOAT32, generator, shape);
    }

    /** Draws uniform on [0, 1) of a floating-point dtype. */
    public static NDArray rand(DType dtype, Generator generator, int... shape) {
        return ArrayCreation.random("rand", Distribution.UNIFORM, 0, 1, dtype, generator, shape);
    }

    /** FLOAT32 standard normal draws. */
    public static NDArray randn(Generator generator, int... shape) {
        return randn(DType.FLOAT32, generator, shape);
    }

    /** Standard normal draws of a floating-point dtype. */
    public static NDArray randn(DType dtype, Generator generator, int... shape) {
        return ArrayCreation.random("randn", Distribution.NORMAL, 0, 1, dtype, generator, shape);
    }

    /** FLOAT32 draws that are 1 with probability {@code p} and 0 otherwise (the generator advances by one draw). */
    public static NDArray bernoulli(double p, Generator generator, int... shape) {
        return bernoulli(p, 1, generator, shape);
    }

    /**
     * FLOAT32 draws that are {@code value} with probability {@code p} and 0 otherwise: a dropout
     * mask with its scale ({@code value = 1 / (1 - rate)}) in one pass.
     */
    public static NDArray bernoulli(double p, double value, Generator generator, int... shape) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli: probability must be in [0, 1], got " + p);
        }
        return ArrayCreation.random("bernoulli", Distribution.BERNOULLI, p, value, DType.FLOAT32, generator, shape);
    }


    /** Zeros with this array's dtype, shape and device. */
    public NDArray zerosLike() {
        return empty(dtype(), shape, device());
    }

    /** Ones with this array's dtype, shape and device. */
    public NDArray onesLike() {
        return zerosLike().fill(1);
    }

    // ---------------------------------------------------------------- properties

    /** The sizes of the dimensions (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code dim} (negative counts from the end). */
    public int shape(int dim) {
        return shape[Shape.normalizeDim("shape", dim, shape.length)];
    }

    /** The steps in elements between neighbours along each dimension (a copy). */
    public int[] strides() {
        return strides.clone();
    }

    /** The position of element (0, ..., 0) in the storage. */
    public int offset() {
        return offset;
    }

    /** The buffer this array views. */
    public Storage storage() {
        return storage;
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The number of elements. */
    public int size() {
        return Shape.numel(shape);
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Device device() {
        return storage.device();
    }

    /** The kernels of this array's device: for fused kernels and backend code. */
    public Backend backend() {
        return Backends.forDevice(device());
    }

    /** Whether the elements lie in row-major order with no gaps (dimensions of size 1 ignored). */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) {
                return true;
            }
            if (shape[d] != 1) {
                if (strides[d] != expected) {
                    return false;
                }
                expected *= shape[d];
            }
        }
        return true;
    }

    /** Whether several positions of this view map to one storage element (a stride of 0 on a dimension of size > 1). */
    public boolean isBroadcastView() {
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- conversion and element access

    /** This array converted to {@code dtype} (this array itself if it already has it); float to INT32 rounds toward zero. */
    public NDArray astype(DType dtype) {
        if (dtype == dtype()) {
            return this;
        }
        NDArray out = empty(dtype, shape, device());
        backend().copy(this, out);
        return out;
    }

    /** A copy on {@code device} (this array itself if it is already there). */
    public NDArray to(Device device) {
        if (device.equals(device())) {
            return this;
        }
        Object host = download();
        return new NDArray(Backends.forDevice(device).upload(host), shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /** The elements on the host, after the device's {@linkplain DeferredChecks deferred checks} have passed. */
    private Object download() {
        if (device().type() != Device.Type.CPU) {
            DeferredChecks.verify(device());
        }
        return backend().download(this);
    }

    /** A contiguous copy that shares nothing with this array. */
    public NDArray copy() {
        NDArray out = empty(dtype(), shape, device());
        backend().copy(this, out);
        return out;
    }

    /** This array if it is contiguous, else a contiguous copy. */
    public NDArray contiguous() {
        return isContiguous() ? this : copy();
    }

    /** The elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        // converted on the host: a converted copy on a device would be one more block to release
        Object host = download();
        if (host instanceof float[] floats) {
            return floats;
        }
        float[] converted = new float[size()];
        if (host instanceof double[] doubles) {
            for (int i = 0; i < converted.length; i++) {
                converted[i] = (float) doubles[i];
            }
        } else {
            int[] ints = (int[]) host;
            for (int i = 0; i < converted.length; i++) {
                converted[i] = ints[i];
            }
        }
        return converted;
    }

    /** The elements in row-major order, converted to double. */
    public double[] toDoubleArray() {
        // converted on the host, as in toFloatArray
        Object host = download();
        if (host instanceof double[] doubles) {
            return doubles;
        }
        double[] converted = new double[size()];
        if (host instanceof float[] floats) {
            for (int i = 0; i < converted.length; i++) {
                converted[i] = floats[i];
            }
        } else {
            int[] ints = (int[]) host;
            for (int i = 0; i < converted.length; i++) {
                converted[i] = ints[i];
            }
        }
        return converted;
    }

    /** The elements in row-major order of an INT32 array. */
    public int[] toIntArray() {
        if (dtype() != DType.INT32) {
            throw new IllegalArgumentException("toIntArray: the array is " + dtype() + "; convert with astype(DType.INT32)");
        }
        return (int[]) download();
    }

    /** The value of a one-element array. */
    public double item() {
        if (size() != 1) {
            throw new IllegalArgumentException("item: the array must hold exactly one element, got shape " + Arrays.toString(shape));
        }
        return toDoubleArray()[0];
    }

    /** The element at {@code index} (one position per dimension; negative counts from the end). */
    public double get(int... index) {
        return element("get", index).item();
    }

    /** Writes {@code value} at {@code index}; returns this array. */
    public NDArray set(double value, int... index) {
        checkRepresentable("set", dtype(), value);
        element("set", index).fill(value);
        return this;
    }

    private NDArray element(String op, int[] index) {
        if (index.length != rank()) {
            throw new IllegalArgumentException(op + ": expected " + rank() + " indices for shape " + Arrays.toString(shape)
                    + ", got " + Arrays.toString(index));
        }
        NDArray view = this;
        for (int d = 0; d < index.length; d++) {
            view = view.select(0, index[d]);
        }
        return view;
    }

    // ---------------------------------------------------------------- views

    /** A view with a new shape (one size may be -1); the array must be contiguous. */
    public NDArray view(int... shape) {
        int[] sizes = ArrayViews.inferShape("view", this.shape, size(), shape);
        if (!isContiguous()) {
            throw new IllegalArgumentException("view: an array of shape " + Arrays.toString(this.shape) + " with strides "
                    + Arrays.toString(strides) + " is not contiguous; use reshape (which copies) or contiguous()");
        }
        return new NDArray(storage, sizes, Shape.contiguousStrides(sizes), offset);
    }

    /** A new shape (one size may be -1): a view when contiguous, else a copy. */
    public NDArray reshape(int... shape) {
        int[] sizes = ArrayViews.inferShape("reshape", this.shape, size(), shape);
        return contiguous().view(sizes);
    }

    /** A 1-d view (or copy, as {@link #reshape}) of all elements. */
    public NDArray flatten() {
        return reshape(-1);
    }

    /** Swaps two dimensions (a view). */
    public NDArray transpose(int dim0, int dim1) {
        return ArrayViews.transpose(this, dim0, dim1);
    }

    /** The transpose of a matrix, or this array when it has fewer than 2 dimensions (a view). */
    public NDArray t() {
        if (rank() > 2) {
            throw new IllegalArgumentException("t: expects at most 2 dimensions, got shape " + Arrays.toString(shape)
                    + "; use transpose(dim0, dim1)");
        }
        return rank() < 2 ? this : transpose(0, 1);
    }

    /** Reorders the dimensions: dimension {@code d} of the result is dimension {@code order[d]} of this (a view). */
    public NDArray permute(int... order) {
        return ArrayViews.permute(this, order);
    }

    /** Removes every dimension of size 1 (a view). */
    public NDArray squeeze() {
        return ArrayViews.squeezeAll(this);
    }

    /** Removes dimension {@code dim} if its size is 1 (a view; unchanged otherwise). */
    public NDArray squeeze(int dim) {
        return ArrayViews.squeeze(this, dim);
    }

    /** Inserts a dimension of size 1 at {@code dim} (a view). */
    public NDArray unsqueeze(int dim) {
        return ArrayViews.unsqueeze(this, dim);
    }

    /** Broadcasts to a larger shape without copying (stride 0); -1 keeps a size. The result is read-only. */
    public NDArray expand(int... shape) {
        return ArrayViews.expand(this, shape);
    }

    /** {@code length} entries of dimension {@code dim} from {@code start} (a view). */
    public NDArray narrow(int dim, int start, int length) {
        return ArrayViews.narrow(this, dim, start, length);
    }

    /** Entries {@code start, start + step, ...} below {@code end} of dimension {@code dim}, bounds as in Python (a view). */
    public NDArray slice(int dim, int start, int end, int step) {
        return ArrayViews.slice(this, dim, start, end, step);
    }

    /** Entry {@code index} of dimension {@code dim}, which is removed (a view). */
    public NDArray select(int dim, int index) {
        return ArrayViews.select(this, dim, index);
    }

    /** Joins arrays of equal shape except along {@code dim}; dtypes promote. */
    public static NDArray concat(int dim, NDArray... arrays) {
        return ArrayJoins.concat(dim, arrays);
    }

    /** Joins arrays of equal shape along a new dimension {@code dim}. */
    public static NDArray stack(int dim, NDArray... arrays) {
        return ArrayJoins.stack(dim, arrays);
    }

    /** Views of consecutive pieces of {@code splitSize} along {@code dim} (the last may be shorter). */
    public List<NDArray> split(int splitSize, int dim) {
        return ArrayJoins.split(this, splitSize, dim);
    }

    /** Views of consecutive pieces with the given sizes along {@code dim}; the sizes must add up to the dimension. */
    public List<NDArray> split(int[] sizes, int dim) {
        return ArrayJoins.split(this, sizes, dim);
    }

    // ---------------------------------------------------------------- elementwise

    public NDArray neg() { return unary(UnaryOp.NEG); }
    public NDArray abs() { return unary(UnaryOp.ABS); }
    /** -1, 0 or 1 by the sign of each element (NaN stays NaN). */
    public NDArray sign() { return unary(UnaryOp.SIGN); }
    public NDArray square() { return unary(UnaryOp.SQUARE); }
    /** max(x, 0); NaN stays NaN. */
    public NDArray relu() { return unary(UnaryOp.RELU); }
    public NDArray exp() { return unary(UnaryOp.EXP); }
    /** exp(x) - 1, accurate near 0. */
    public NDArray expm1() { return unary(UnaryOp.EXPM1); }
    public NDArray log() { return unary(UnaryOp.LOG); }
    /** log(1 + x), accurate near 0. */
    public NDArray log1p() { return unary(UnaryOp.LOG1P); }
    public NDArray sqrt() { return unary(UnaryOp.SQRT); }
    /** 1 / sqrt(x). */
    public NDArray rsqrt() { return unary(UnaryOp.RSQRT); }
    public NDArray reciprocal() { return unary(UnaryOp.RECIPROCAL); }
    public NDArray tanh() { return unary(UnaryOp.TANH); }
    /** 1 / (1 + exp(-x)), evaluated without overflow for large |x|. */
    public NDArray sigmoid() { return unary(UnaryOp.SIGMOID); }
    /** The error function erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt. */
    public NDArray erf() { return unary(UnaryOp.ERF); }
    public NDArray sin() { return unary(UnaryOp.SIN); }
    public NDArray cos() { return unary(UnaryOp.COS); }
    public NDArray tan() { return unary(UnaryOp.TAN); }
    public NDArray atan() { return unary(UnaryOp.ATAN); }

    private NDArray unary(UnaryOp op) {
        DType dtype = op.closedOverIntegers() ? dtype() : dtype().toFloatingPoint();
        NDArray source = astype(dtype);
        NDArray out = empty(dtype, shape, device());
        backend().unary(op, source, out);
        return out;
    }

    public NDArray add(NDArray other) { return ArrayArithmetic.binary(this, "add", BinaryOp.ADD, other); }
    public NDArray sub(NDArray other) { return ArrayArithmetic.binary(this, "sub", BinaryOp.SUB, other); }
    public NDArray mul(NDArray other) { return ArrayArithmetic.binary(this, "mul", BinaryOp.MUL, other); }
    /** True division: INT32 operands give FLOAT32. */
    public NDArray div(NDArray other) { return ArrayArithmetic.binary(this, "div", BinaryOp.DIV, other); }
    /** Elementwise power; computed in floating point. */
    public NDArray pow(NDArray exponent) { return ArrayArithmetic.binary(this, "pow", BinaryOp.POW, exponent); }
    /** The elementwise larger value; NaN wins. */
    public NDArray maximum(NDArray other) { return ArrayArithmetic.binary(this, "maximum", BinaryOp.MAXIMUM, other); }
    /** The elementwise smaller value; NaN wins. */
    public NDArray minimum(NDArray other) { return ArrayArithmetic.binary(this, "minimum", BinaryOp.MINIMUM, other); }

    public NDArray add(double value) { return ArrayArithmetic.binary(this, "add", BinaryOp.ADD, value); }
    public NDArray sub(double value) { return ArrayArithmetic.binary(this, "sub", BinaryOp.SUB, value); }
    public NDArray mul(double value) { return ArrayArithmetic.binary(this, "mul", BinaryOp.MUL, value); }
    public NDArray div(double value) { return ArrayArithmetic.binary(this, "div", BinaryOp.DIV, value); }
    public NDArray pow(double exponent) { return ArrayArithmetic.binary(this, "pow", BinaryOp.POW, exponent); }
    public NDArray maximum(double value) { return ArrayArithmetic.binary(this, "maximum", BinaryOp.MAXIMUM, value); }
    public NDArray minimum(double value) { return ArrayArithmetic.binary(this, "minimum", BinaryOp.MINIMUM, value); }

    /** Each element limited to [min, max]; NaN stays NaN. */
    public NDArray clamp(double min, double max) {
        if (min > max) {
            throw new IllegalArgumentException("clamp: min (" + min + ") must not exceed max (" + max + ")");
        }
        return maximum(min).minimum(max);
    }

    public NDArray eq(NDArray other) { return ArrayArithmetic.compare(this, "eq", CompareOp.EQ, other); }
    public NDArray ne(NDArray other) { return ArrayArithmetic.compare(this, "ne", CompareOp.NE, other); }
    public NDArray lt(NDArray other) { return ArrayArithmetic.compare(this, "lt", CompareOp.LT, other); }
    public NDArray le(NDArray other) { return ArrayArithmetic.compare(this, "le", CompareOp.LE, other); }
    public NDArray gt(NDArray other) { return ArrayArithmetic.compare(this, "gt", CompareOp.GT, other); }
    public NDArray ge(NDArray other) { return ArrayArithmetic.compare(this, "ge", CompareOp.GE, other); }
    public NDArray eq(double value) { return ArrayArithmetic.compare(this, "eq", CompareOp.EQ, value); }
    public NDArray ne(double value) { return ArrayArithmetic.compare(this, "ne", CompareOp.NE, value); }
    public NDArray lt(double value) { return ArrayArithmetic.compare(this, "lt", CompareOp.LT, value); }
    public NDArray le(double value) { return ArrayArithmetic.compare(this, "le", CompareOp.LE, value); }
    public NDArray gt(double value) { return ArrayArithmetic.compare(this, "gt", CompareOp.GT, value); }
    public NDArray ge(double value) { return ArrayArithmetic.compare(this, "ge", CompareOp.GE, value); }

    /** {@code condition != 0 ? a : b}, elementwise with broadcasting over all three; a and b promote. */
    public static NDArray where(NDArray condition, NDArray a, NDArray b) {
        checkSameDevice("where", condition, a);
        checkSameDevice("where", a, b);
        NDArray mask = condition.dtype() == DType.INT32 ? condition : condition.ne(0);
        DType dtype = DType.promote(a.dtype(), b.dtype());
        int[] outShape = Shape.broadcast("where", Shape.broadcast("where", condition.shape, a.shape), b.shape);
        NDArray out = empty(dtype, outShape, a.device());
        a.backend().where(mask.expand(outShape), a.astype(dtype).expand(outShape), b.astype(dtype).expand(outShape), out);
        return out;
    }

    // ---------------------------------------------------------------- in place

    /** {@code this += other} (other broadcasts to this shape); returns this. */
    public NDArray addi(NDArray other) { return ArrayArithmetic.inPlace(this, "addi", BinaryOp.ADD, other); }
    /** {@code this -= other}; returns this. */
    public NDArray subi(NDArray other) { return ArrayArithmetic.inPlace(this, "subi", BinaryOp.SUB, other); }
    /** {@code this *= other}; returns this. */
    public NDArray muli(NDArray other) { return ArrayArithmetic.inPlace(this, "muli", BinaryOp.MUL, other); }
    /** {@code this /= other}; returns this (a floating-point array). */
    public NDArray divi(NDArray other) { return ArrayArithmetic.inPlace(this, "divi", BinaryOp.DIV, other); }
    public NDArray addi(double value) { return ArrayArithmetic.inPlace(this, "addi", BinaryOp.ADD, value); }
    public NDArray subi(double value) { return ArrayArithmetic.inPlace(this, "subi", BinaryOp.SUB, value); }
    public NDArray muli(double value) { return ArrayArithmetic.inPlace(this, "muli", BinaryOp.MUL, value); }
    public NDArray divi(double value) { return ArrayArithmetic.inPlace(this, "divi", BinaryOp.DIV, value); }

    /** {@code this + value * t1 * t2}, as a new array. */
    public NDArray addcmul(NDArray t1, NDArray t2, double value) {
        return add(t1.mul(t2).muli(value));
    }

    /** {@code this += value * t1 * t2}; returns this. */
    public NDArray addcmuli(NDArray t1, NDArray t2, double value) {
        return ArrayArithmetic.inPlace(this, "addcmuli", BinaryOp.ADD, t1.mul(t2).muli(value));
    }

    /** {@code this + value * t1 / t2}, as a new array. */
    public NDArray addcdiv(NDArray t1, NDArray t2, double value) {
        return add(t1.div(t2).muli(value));
    }

    /** {@code this += value * t1 / t2}; returns this. */
    public NDArray addcdivi(NDArray t1, NDArray t2, double value) {
        return ArrayArithmetic.inPlace(this, "addcdivi", BinaryOp.ADD, t1.div(t2).muli(value));
    }

    /** Sets every element to {@code value}; returns this. */
    public NDArray fill(double value) {
        checkWritable("fill");
        checkRepresentable("fill", dtype(), value);
        backend().fill(this, value);
        return this;
    }

    /** Copies {@code source} (broadcast to this shape, same device, not wider dtype) into this array; returns this. */
    public NDArray copyFrom(NDArray source) {
        checkWritable("copyFrom");
        ArrayArithmetic.checkInPlaceOperand(this, "copyFrom", source, DType.promote(dtype(), source.dtype()));
        NDArray detached = ArrayArithmetic.detached(this, source);
        NDArray converted = detached.astype(dtype());
        backend().copy(converted.expand(shape), this);
        ArrayArithmetic.releaseTemporary(converted, detached);
        ArrayArithmetic.releaseTemporary(detached, source);
        return this;
    }

    void checkWritable(String op) {
        if (isBroadcastView()) {
            throw new IllegalArgumentException(op + ": cannot write into a broadcast view (shape " + Arrays.toString(shape)
                    + ", strides " + Arrays.toString(strides) + ") where several positions share one element; copy() it first");
        }
    }

    private static void checkRepresentable(String op, DType dtype, double value) {
        if (dtype == DType.INT32 && (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(op + ": " + value + " is not an INT32 value (a whole number within range)");
        }
    }

    static void checkSameDevice(String op, NDArray a, NDArray b) {
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": arrays are on different devices (" + a.device() + " and "
                    + b.device() + "); move one with to(device)");
        }
    }

    // ---------------------------------------------------------------- reductions

    /** The sum of all elements, as a 0-d array (INT32 stays INT32; an overflow is an error). */
    public NDArray sum() { return sum(ArrayReductions.all(rank()), false); }
    public NDArray sum(int dim) { return sum(new int[] {dim}, false); }
    /** Sums over {@code dims}; with {@code keepDim} they stay as size 1. */
    public NDArray sum(int[] dims, boolean keepDim) {
        return ArrayReductions.reduce("sum", ReduceOp.SUM, this, dims, keepDim, dtype());
    }

    /** The product of all elements, as a 0-d array. */
    public NDArray prod() { return prod(ArrayReductions.all(rank()), false); }
    public NDArray prod(int[] dims, boolean keepDim) {
        return ArrayReductions.reduce("prod", ReduceOp.PROD, this, dims, keepDim, dtype());
    }

    /** The mean of all elements (floating point), as a 0-d array. */
    public NDArray mean() { return mean(ArrayReductions.all(rank()), false); }
    public NDArray mean(int dim) { return mean(new int[] {dim}, false); }
    public NDArray mean(int[] dims, boolean keepDim) { return ArrayReductions.mean(this, dims, keepDim); }

    /** The largest element (NaN if any), as a 0-d array. */
    public NDArray max() { return max(ArrayReductions.all(rank()), false); }
    public NDArray max(int dim) { return max(new int[] {dim}, false); }
    public NDArray max(int[] dims, boolean keepDim) {
        return ArrayReductions.reduce("max", ReduceOp.MAX, this, dims, keepDim, dtype());
    }

    /** The smallest element (NaN if any), as a 0-d array. */
    public NDArray min() { return min(ArrayReductions.all(rank()), false); }
    public NDArray min(int dim) { return min(new int[] {dim}, false); }
    public NDArray min(int[] dims, boolean keepDim) {
        return ArrayReductions.reduce("min", ReduceOp.MIN, this, dims, keepDim, dtype());
    }

    /** The flat (row-major) index of the first largest element, as a 0-d INT32 array. */
    public NDArray argmax() { return ArrayReductions.argReduceAll("argmax", ReduceOp.MAX, this); }
    public NDArray argmax(int dim) { return argmax(dim, false); }
    /** The index along {@code dim} of the first largest element (NaN counts as largest). */
    public NDArray argmax(int dim, boolean keepDim) {
        return ArrayReductions.argReduce("argmax", ReduceOp.MAX, this, dim, keepDim);
    }

    /** The flat (row-major) index of the first smallest element, as a 0-d INT32 array. */
    public NDArray argmin() { return ArrayReductions.argReduceAll("argmin", ReduceOp.MIN, this); }
    public NDArray argmin(int dim) { return argmin(dim, false); }
    public NDArray argmin(int dim, boolean keepDim) {
        return ArrayReductions.argReduce("argmin", ReduceOp.MIN, this, dim, keepDim);
    }

    /** The unbiased variance (correction 1) of all elements. */
    public NDArray var() { return var(ArrayReductions.all(rank()), 1, false); }
    /**
     * The variance over {@code dims}: the sum of squared deviations from the mean divided by
     * {@code N - correction} (1 for the unbiased estimate, 0 for the population variance).
     */
    public NDArray var(int[] dims, int correction, boolean keepDim) {
        return ArrayReductions.var("var", this, dims, correction, keepDim);
    }

    /** The unbiased standard deviation (correction 1) of all elements. */
    public NDArray std() { return std(ArrayReductions.all(rank()), 1, false); }
    /** The square root of {@link #var(int[], int, boolean)}. */
    public NDArray std(int[] dims, int correction, boolean keepDim) {
        return ArrayReductions.var("std", this, dims, correction, keepDim).sqrt();
    }

    /** log(sum(exp(x))) of all elements, computed without overflow. */
    public NDArray logSumExp() { return logSumExp(ArrayReductions.all(rank()), false); }
    public NDArray logSumExp(int dim) { return logSumExp(new int[] {dim}, false); }
    public NDArray logSumExp(int[] dims, boolean keepDim) { return ArrayReductions.logSumExp(this, dims, keepDim); }

    /** The p-norm of all elements: p = 1, 2, another positive value, or {@code Double.POSITIVE_INFINITY}. */
    public NDArray norm(double p) { return norm(p, ArrayReductions.all(rank()), false); }
    public NDArray norm(double p, int[] dims, boolean keepDim) { return ArrayReductions.norm(this, p, dims, keepDim); }

    // ---------------------------------------------------------------- products and indexing

    /**
     * The matrix product with NumPy's rules: 2-d @ 2-d; a 1-d operand acts as a row (left) or column
     * (right) vector and its dimension is dropped; leading dimensions are batches that broadcast.
     * Transposed views are read in place, without a copy.
     */
    public NDArray matmul(NDArray other) {
        return MatrixProducts.matmul(this, other);
    }

    /**
     * In place, this += a @ b for 2-d arrays (PyTorch's {@code addmm_} with beta = alpha = 1): the
     * product is added by the GEMM itself, so no [m, n] temporary is made. This must be
     * contiguous, of a and b's dtype; transposed views of a and b are read in place. Returns this.
     */
    public NDArray addmmi(NDArray a, NDArray b) {
        return MatrixProducts.addmmInPlace(this, a, b);
    }

    /** The inner product of two 1-d arrays of equal length, as a 0-d array. */
    public NDArray dot(NDArray other) {
        if (rank() != 1 || other.rank() != 1) {
            throw new IllegalArgumentException("dot: expects two 1-d arrays, got " + Arrays.toString(shape) + " and "
                    + Arrays.toString(other.shape));
        }
        return matmul(other);
    }

    /** The outer product of two 1-d arrays: {@code [n] x [m] -> [n, m]}. */
    public NDArray outer(NDArray other) {
        if (rank() != 1 || other.rank() != 1) {
            throw new IllegalArgumentException("outer: expects two 1-d arrays, got " + Arrays.toString(shape) + " and "
                    + Arrays.toString(other.shape));
        }
        return unsqueeze(1).mul(other.unsqueeze(0));
    }

    /** {@code out[i][j] = this[i][index[i][j]]} for {@code dim = 1} (likewise for any dim); index is INT32. */
    public NDArray gather(int dim, NDArray index) {
        return ArrayIndexing.gather(this, dim, index);
    }

    /** A copy of this array with {@code source} added at the positions {@code index} names along {@code dim}. */
    public NDArray scatterAdd(int dim, NDArray index, NDArray source) {
        NDArray out = copy();
        ArrayIndexing.scatterAdd(out, dim, index, source);
        return out;
    }

    /** In place: {@code this[i][index[i][j]] += source[i][j]} for {@code dim = 1}; repeated indices accumulate. */
    public NDArray scatterAddi(int dim, NDArray index, NDArray source) {
        checkWritable("scatterAddi");
        ArrayIndexing.scatterAdd(this, dim, index, source);
        return this;
    }

    /** The slices named by a 1-d INT32 {@code index} along {@code dim}, in that order. */
    public NDArray indexSelect(int dim, NDArray index) {
        return ArrayIndexing.indexSelect(this, dim, index);
    }

    /** For INT32 labels of any shape, FLOAT32 one-hot rows: shape {@code [..., numClasses]}. */
    public NDArray oneHot(int numClasses) {
        return ArrayIndexing.oneHot(this, numClasses);
    }

    // ---------------------------------------------------------------- comparison and printing

    /** Whether {@code |this - other| <= atol + rtol * |other|} everywhere (same shape; NaN never close). */
    public boolean allClose(NDArray other, double rtol, double atol) {
        if (!Arrays.equals(shape, other.shape)) {
            return false;
        }
        double[] a = toDoubleArray();
        double[] b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i])) && a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@link #allClose(NDArray, double, double)} with NumPy's defaults {@code rtol = 1e-5, atol = 1e-8}. */
    public boolean allClose(NDArray other) {
        return allClose(other, 1e-5, 1e-8);
    }

    /** Equal dtype, shape, device and elements (NaN equals NaN here, as in {@link Double#equals}). */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NDArray other) || other.dtype() != dtype() || !Arrays.equals(other.shape, shape)
                || !other.device().equals(device())) {
            return false;
        }
        return Arrays.equals(toDoubleArray(), other.toDoubleArray());
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(toDoubleArray());
    }

    /** The dtype, shape, device and values, summarized with "..." for big arrays as NumPy prints them. */
    @Override
    public String toString() {
        return ArrayFormat.format(this);
    }
}
