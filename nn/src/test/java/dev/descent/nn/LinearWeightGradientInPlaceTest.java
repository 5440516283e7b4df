package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With {@code zeroGrad(false)} a Linear layer's weight gradient is added into the kept array by the
 * GEMM: the gradients must be those of the ordinary path (gradients set to none), step after step,
 * and the weight's gradient array must stay the same one.
 */
class LinearWeightGradientInPlaceTest {

    private static Module model(DType dtype) {
        Generator weights = new Generator(7);
        return new Sequential(new Linear(13, 9, true, dtype, weights), new ReLU(), new Linear(9, 4, true, dtype, weights));
    }

    @Test
    void keptGradientArraysGetTheSameGradientsAsFreshOnes() {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Module fresh = model(dtype);
            Module kept = model(dtype);
            Generator data = new Generator(1);
            NDArray[] firstWeightGradient = new NDArray[1];
            for (int step = 0; step < 4; step++) {
                Tensor x = Tensor.of(NDArray.randn(dtype, data, 6, 13));
                fresh.zeroGrad();
                kept.zeroGrad(false);
                fresh.forward(x).square().sum().backward();
                kept.forward(x).square().sum().backward();
                List<Parameter> a = fresh.parameters();
                List<Parameter> b = kept.parameters();
                for (int p = 0; p < a.size(); p++) {
                    assertArrayEquals(a.get(p).grad().data().toDoubleArray(), b.get(p).grad().data().toDoubleArray(),
                            dtype == DType.FLOAT64 ? 1e-12 : 1e-5, dtype + " step " + step + " parameter " + p);
                }
                NDArray weightGradient = b.get(0).grad().data();
                if (step == 0) {
                    firstWeightGradient[0] = weightGradient;
                } else {
                    assertSame(firstWeightGradient[0], weightGradient, "the weight gradient array is reused");
                }
            }
        }
    }
}
