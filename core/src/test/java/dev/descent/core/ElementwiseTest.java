package dev.descent.core;

import static dev.descent.core.ArrayAssert.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ElementwiseTest {
    private final Generator g = new Generator(23);

    /** Checks {@code op} against {@code reference} on random shapes, every layout, and float dtypes. */
    private void checkUnary(String name, Function<NDArray, NDArray> op, DoubleUnaryOperator reference, double low, double high) {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int trial = 0; trial < 12; trial++) {
                int[] shape = trial == 0 ? new int[0] : trial == 1 ? new int[] {0, 3} : Reference.randomShape(g, 1, 4, 5);
                double[] truth = Reference.roundTo(dtype, Reference.randomValues(g, Reference.numel(shape), low, high));
                double[] expected = Reference.roundTo(dtype, Reference.map(truth, reference));
                for (NDArray x : Reference.layouts(truth, shape, dtype)) {
                    assertValues(expected, shape, dtype, op.apply(x), name + " " + dtype + " " + Shape.toString(shape));
                }
            }
        }
    }

    @Test
    void unaryOpsMatchTheirFloat64Definitions() {
        checkUnary("neg", NDArray::neg, v -> -v, -5, 5);
        checkUnary("abs", NDArray::abs, Math::abs, -5, 5);
        checkUnary("sign", NDArray::sign, Math::signum, -2, 2);
        checkUnary("square", NDArray::square, v -> v * v, -5, 5);
        // The trigonometric kernels call the JDK's functions: these lines check layouts and dtypes;
        // trigonometricFunctionsMatchClosedForms checks the values.
        checkUnary("sin", NDArray::sin, Math::sin, -7, 7);
        checkUnary("cos", NDArray::cos, Math::cos, -7, 7);
        checkUnary("tan", NDArray::tan, Math::tan, -1.5, 1.5);
        checkUnary("atan", NDArray::atan, Math::atan, -20, 20);
        checkUnary("relu", NDArray::relu, v -> v > 0 ? v : 0, -5, 5);
        checkUnary("exp", NDArray::exp, Math::exp, -10, 10);
        checkUnary("expm1", NDArray::expm1, Math::expm1, -1e-3, 1e-3);
        checkUnary("log", NDArray::log, Math::log, 1e-3, 100);
        checkUnary("log1p", NDArray::log1p, Math::log1p, -0.5, 10);
        checkUnary("sqrt", NDArray::sqrt, Math::sqrt, 0, 100);
        checkUnary("rsqrt", NDArray::rsqrt, v -> 1 / Math.sqrt(v), 0.01, 100);
        checkUnary("reciprocal", NDArray::reciprocal, v -> 1 / v, 0.1, 10);
        checkUnary("tanh", NDArray::tanh, Math::tanh, -5, 5);
        checkUnary("sigmoid", NDArray::sigmoid, v -> 1 / (1 + Math.exp(-v)), -20, 20);
        checkUnary("pow", x -> x.pow(3), v -> v * v * v, -3, 3);
        checkUnary("pow", x -> x.pow(0.5), Math::sqrt, 0, 9);
        checkUnary("clamp", x -> x.clamp(-1, 2), v -> Math.max(-1, Math.min(2, v)), -4, 4);
        checkUnary("add scalar", x -> x.add(1.5), v -> v + 1.5, -4, 4);
        checkUnary("sub scalar", x -> x.sub(1.5), v -> v - 1.5, -4, 4);
        checkUnary("mul scalar", x -> x.mul(-2), v -> v * -2, -4, 4);
        checkUnary("div scalar", x -> x.div(4), v -> v / 4, -4, 4);
        checkUnary("maximum scalar", x -> x.maximum(0.5), v -> Math.max(v, 0.5), -4, 4);
        checkUnary("minimum scalar", x -> x.minimum(0.5), v -> Math.min(v, 0.5), -4, 4);
    }

    @Test
    void integerOpsStayExactOnInt32() {
        for (int trial = 0; trial < 10; trial++) {
            int[] shape = Reference.randomShape(g, 1, 3, 5);
            double[] truth = Reference.roundTo(DType.INT32, Reference.randomValues(g, Reference.numel(shape), -50, 50));
            for (NDArray x : Reference.layouts(truth, shape, DType.INT32)) {
                assertValues(Reference.map(truth, v -> -v), shape, DType.INT32, x.neg(), "neg INT32");
                assertValues(Reference.map(truth, Math::abs), shape, DType.INT32, x.abs(), "abs INT32");
                assertValues(Reference.map(truth, Math::signum), shape, DType.INT32, x.sign(), "sign INT32");
                assertValues(Reference.map(truth, v -> v * v), shape, DType.INT32, x.square(), "square INT32");
                assertValues(Reference.map(truth, v -> Math.max(v, 0)), shape, DType.INT32, x.relu(), "relu INT32");
                assertValues(Reference.map(truth, v -> v * 3 - 1), shape, DType.INT32,
                        x.mul(NDArray.scalar(DType.INT32, 3)).sub(NDArray.scalar(DType.INT32, 1)), "mul/sub INT32");
                assertValues(Reference.map(truth, v -> Math.max(-5, Math.min(v, 5))), shape, DType.INT32,
                        x.maximum(NDArray.scalar(DType.INT32, -5)).minimum(NDArray.scalar(DType.INT32, 5)), "clamp INT32");
            }
        }
    }

    /** Expanded (stride 0) inputs and arrays with a dimension of size 0 go through every kind of op. */
    @Test
    void expandedViewsAndEmptyArraysAreOrdinaryInputs() {
        double[] column = {1, -2, 3};
        NDArray expanded = NDArray.of(column, 3, 1).expand(3, 4);
        double[] dense = new double[12];
        for (int i = 0; i < 12; i++) {
            dense[i] = column[i / 4];
        }
        assertValues(Reference.map(dense, Math::exp), new int[] {3, 4}, DType.FLOAT64, expanded.exp(), "exp of expanded");
        assertValues(Reference.map(dense, v -> 2 * v), new int[] {3, 4}, DType.FLOAT64, expanded.add(expanded), "add of expanded");
        assertValues(new double[] {4, -8, 12}, new int[] {3}, DType.FLOAT64, expanded.sum(1), "sum of expanded");
        assertValues(new double[] {2, 2, 2, 2}, new int[] {4}, DType.FLOAT64, expanded.sum(0), "sum of expanded over rows");
        NDArray ones = NDArray.ones(DType.FLOAT64, 4, 2);
        assertValues(new double[] {4, 4, -8, -8, 12, 12}, new int[] {3, 2}, DType.FLOAT64, expanded.matmul(ones), "matmul of expanded");
        assertValues(new double[] {4, 4, -8, -8, 12, 12}, new int[] {3, 2}, DType.FLOAT64,
                expanded.matmul(NDArray.ones(DType.FLOAT64, 1, 2).expand(4, 2)), "matmul with a broadcast right operand");
        assertValues(Reference.map(dense, v -> v > 0 ? 1 : 0), new int[] {3, 4}, DType.INT32, expanded.gt(0), "gt of expanded");
        assertValues(dense, new int[] {3, 4}, DType.FLOAT64, expanded.contiguous(), "contiguous of expanded");

        NDArray empty = NDArray.zeros(0, 5);
        assertArrayEquals(new int[] {0, 5}, empty.exp().shape());
        assertArrayEquals(new int[] {0, 5}, empty.add(NDArray.ones(5)).shape());
        assertArrayEquals(new int[] {0, 5}, NDArray.zeros(0, 1).mul(NDArray.ones(1, 5)).shape());
        assertArrayEquals(new int[] {0, 5}, empty.gt(NDArray.ones(5)).shape());
        assertArrayEquals(new int[] {0, 3}, empty.matmul(NDArray.ones(5, 3)).shape());
        assertArrayEquals(new double[9], NDArray.zeros(3, 0).matmul(NDArray.ones(0, 3)).toDoubleArray(), 0);
        assertArrayEquals(new double[5], empty.sum(0).toDoubleArray(), 0);
        assertEquals(0, empty.addi(1).size());
    }

    @Test
    void trigonometricFunctionsMatchClosedForms() {
        NDArray angles = NDArray.of(new double[] {0, Math.PI / 6, Math.PI / 4, Math.PI / 3, Math.PI / 2}, 5);
        double r = Math.sqrt(0.5);
        double h = Math.sqrt(3) / 2;
        assertArrayEquals(new double[] {0, 0.5, r, h, 1}, angles.sin().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {1, h, r, 0.5, 0}, angles.cos().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0, 1 / Math.sqrt(3), 1, Math.sqrt(3)}, angles.narrow(0, 0, 4).tan().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0, Math.PI / 4, -Math.PI / 4, Math.PI / 3},
                NDArray.of(new double[] {0, 1, -1, Math.sqrt(3)}, 4).atan().toDoubleArray(), 1e-15);
        assertEquals(DType.FLOAT32, NDArray.of(new int[] {1}).sin().dtype());
    }

    /** Reference values of erf from standard tables (Abramowitz and Stegun, table 7.1, and higher-precision sources). */
    @Test
    void erfMatchesTabulatedValues() {
        double[] x = {0, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 4, -0.5, -2.7, 7};
        double[] erf = {0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9661051464753108,
            0.9953222650189527, 0.9995930479825550, 0.9999779095030014, 0.9999999845827421, -0.5204998778130465,
            -0.9998656672600594, 1};
        assertArrayEquals(erf, NDArray.of(x).erf().toDoubleArray(), 2e-15);
        assertEquals(DType.FLOAT32, NDArray.of(new int[] {1}).erf().dtype());
        assertEquals(0.8427007929497149, NDArray.of(new float[] {1}).erf().item(), 1e-7);
    }

    @Test
    void sigmoidAndExpStayFiniteAtTheExtremes() {
        NDArray x = NDArray.of(new float[] {-1000, -80, 0, 80, 1000});
        assertArrayEquals(new double[] {0, Math.exp(-80) / (1 + Math.exp(-80)), 0.5, 1, 1}, x.sigmoid().toDoubleArray(), 1e-30);
        assertEquals(Double.POSITIVE_INFINITY, NDArray.of(new float[] {1000}).exp().item(), 0);
        NDArray special = NDArray.of(new double[] {Double.NaN, -0.0, 0.0});
        assertEquals(Double.NaN, special.relu().get(0), 0);
        assertEquals(Double.NaN, special.sign().get(0), 0);
        assertEquals(Double.NaN, special.clamp(0, 1).get(0), 0);
    }

    @Test
    void binaryOpsBroadcastLikeNumpy() {
        DoubleBinaryOperator[] references = {Double::sum, (a, b) -> a - b, (a, b) -> a * b, (a, b) -> a / b, Math::pow, Math::max, Math::min};
        String[] names = {"add", "sub", "mul", "div", "pow", "maximum", "minimum"};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int trial = 0; trial < 15; trial++) {
                int[] outShape = Reference.randomShape(g, 0, 4, 4);
                int[] aShape = dropSomeDimensions(outShape);
                int[] bShape = dropSomeDimensions(outShape);
                double[] a = Reference.roundTo(dtype, Reference.randomValues(g, Reference.numel(aShape), 0.5, 3));
                double[] b = Reference.roundTo(dtype, Reference.randomValues(g, Reference.numel(bShape), -2, 2));
                int[] expectedShape = Reference.broadcastShape(aShape, bShape);
                for (int op = 0; op < names.length; op++) {
                    double[] expected = Reference.roundTo(dtype, Reference.binary(a, aShape, b, bShape, references[op]));
                    for (NDArray x : Reference.layouts(a, aShape, dtype)) {
                        for (NDArray y : Reference.layouts(b, bShape, dtype)) {
                            NDArray result = switch (names[op]) {
                                case "add" -> x.add(y);
                                case "sub" -> x.sub(y);
                                case "mul" -> x.mul(y);
                                case "div" -> x.div(y);
                                case "pow" -> x.pow(y);
                                case "maximum" -> x.maximum(y);
                                default -> x.minimum(y);
                            };
                            double tolerance = names[op].equals("pow") && dtype == DType.FLOAT32 ? 1e-5 : ArrayAssert.tolerance(dtype);
                            assertArrayEquals(expectedShape, result.shape());
                            assertValues(expected, result.toDoubleArray(), tolerance,
                                    names[op] + " " + dtype + " " + Shape.toString(aShape) + " with " + Shape.toString(bShape));
                        }
                    }
                }
            }
        }
    }

    /** The shape with some leading dimensions removed and some sizes set to 1: it broadcasts to the original. */
    private int[] dropSomeDimensions(int[] shape) {
        int drop = g.nextInt(shape.length + 1);
        int[] result = java.util.Arrays.copyOfRange(shape, drop, shape.length);
        for (int d = 0; d < result.length; d++) {
            if (g.nextInt(3) == 0) {
                result[d] = 1;
            }
        }
        return result;
    }

    @Test
    void incompatibleShapesAreAnErrorThatNamesThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NDArray.zeros(2, 3).add(NDArray.zeros(4, 3)));
        assertEquals("add: shapes [2, 3] and [4, 3] cannot be broadcast: dimension 0 of the result has sizes 2 and 4 "
                + "(each must be equal or 1)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(3).mul(NDArray.zeros(2)));
        assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(3).eq(NDArray.zeros(2)));
        IllegalArgumentException clamp = assertThrows(IllegalArgumentException.class, () -> NDArray.zeros(3).clamp(2, 1));
        assertEquals("clamp: min (2.0) must not exceed max (1.0)", clamp.getMessage());
    }

    @Test
    void comparisonsGiveInt32MasksAndWhereSelects() {
        double[][] cases = {{1, 2}, {2, 2}, {3, 2}, {Double.NaN, 2}};
        int[][] expected = { // eq ne lt le gt ge
            {0, 1, 1, 1, 0, 0}, {1, 0, 0, 1, 0, 1}, {0, 1, 0, 0, 1, 1}, {0, 1, 0, 0, 0, 0}};
        for (DType dtype : DType.values()) {
            for (int c = 0; c < cases.length; c++) {
                if (dtype == DType.INT32 && Double.isNaN(cases[c][0])) {
                    continue;
                }
                NDArray a = NDArray.full(DType.FLOAT64, cases[c][0], 1).astype(dtype);
                NDArray b = NDArray.full(DType.FLOAT64, cases[c][1], 1).astype(dtype);
                int[] got = {a.eq(b).toIntArray()[0], a.ne(b).toIntArray()[0], a.lt(b).toIntArray()[0],
                        a.le(b).toIntArray()[0], a.gt(b).toIntArray()[0], a.ge(b).toIntArray()[0]};
                assertArrayEquals(expected[c], got, dtype + " " + java.util.Arrays.toString(cases[c]));
                assertEquals(DType.INT32, a.eq(b).dtype());
            }
        }
        NDArray x = NDArray.of(new float[] {0.1f, 0.5f, 0.9f});
        assertArrayEquals(new int[] {0, 0, 1}, x.gt(0.5).toIntArray());
        assertArrayEquals(new int[] {0, 1, 0}, x.eq(0.5).toIntArray());
        // 0.1 is not a float: compared exactly, the float 0.1f differs from the double 0.1
        assertArrayEquals(new int[] {0, 0, 0}, x.eq(0.1).toIntArray());
        NDArray matrix = NDArray.arange(6).reshape(2, 3);
        NDArray mask = matrix.ge(NDArray.of(new int[] {1, 5}, 2, 1));
        assertArrayEquals(new int[] {0, 1, 1, 0, 0, 1}, mask.toIntArray());
        NDArray chosen = NDArray.where(mask, matrix, NDArray.full(-1.5, 1));
        assertEquals(DType.FLOAT32, chosen.dtype());
        assertArrayEquals(new double[] {-1.5, 1, 2, -1.5, -1.5, 5}, chosen.toDoubleArray(), 0);
        NDArray floatMask = NDArray.of(new double[] {0, 2.5});
        assertArrayEquals(new double[] {10, 20}, NDArray.where(floatMask, NDArray.full(20, 2), NDArray.full(10, 2)).toDoubleArray(), 0);
    }

    @Test
    void dtypesPromoteAndIntegersLeaveTheIntegersOnlyWhenTheyMust() {
        NDArray i = NDArray.of(new int[] {1, 2, 3});
        NDArray f = NDArray.of(new float[] {0.5f, 0.5f, 0.5f});
        NDArray d = NDArray.of(new double[] {0.25, 0.25, 0.25});
        assertEquals(DType.INT32, i.add(i).dtype());
        assertEquals(DType.INT32, i.mul(i).neg().abs().relu().square().sign().dtype());
        assertEquals(DType.FLOAT32, i.add(f).dtype());
        assertEquals(DType.FLOAT64, f.add(d).dtype());
        assertEquals(DType.FLOAT64, i.mul(d).dtype());
        assertEquals(DType.FLOAT32, i.div(i).dtype());
        assertArrayEquals(new double[] {0.5, 1, 1.5}, i.div(2).toDoubleArray(), 0);
        assertEquals(DType.FLOAT32, i.add(1.0).dtype());
        assertEquals(DType.FLOAT32, i.exp().dtype());
        assertEquals(DType.FLOAT32, i.pow(2).dtype());
        assertEquals(DType.FLOAT64, d.add(1.0).dtype());
        assertArrayEquals(new int[] {3, 5, 7}, i.mul(NDArray.of(new int[] {2})).add(NDArray.scalar(DType.INT32, 1)).toIntArray());
        assertArrayEquals(new int[] {-2147483648}, NDArray.of(new int[] {Integer.MAX_VALUE}).add(NDArray.of(new int[] {1})).toIntArray());
    }
}
