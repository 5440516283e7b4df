package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.Device;
import dev.descent.cuda.EmulatedGpu;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every optimizer keeps its state beside the parameters: on cuda:0 (here {@link
 * EmulatedGpu}, CPU kernels behind the CUDA device's rules) the steps must equal the CPU's
 * bit for bit, and any state array made on the host would be refused by the first operation.
 */
@ExtendWith(EmulatedGpu.class)
class OptimizerDeviceTest {
    private static final Device CUDA = Device.cuda(0);
    /** Three steps on f(w) = sum((w - t)^4) + sum(w * v) from the same start; the parameters afterwards. */
    private static List<float[]> run(String name, Device device) {
        return run(name, device, false, false);
    }

    /** As {@link #run(String, Device)}, optionally with {@code capturable} set and the learning rate changed between steps. */
    private static List<float[]> run(String name, Device device, boolean capturable, boolean changingRate) {
        Generator generator = new Generator(11);
        List<Tensor> params = List.of(Tensor.of(NDArray.randn(generator, 5, 3).to(device)).requiresGrad(true),
                Tensor.of(NDArray.randn(generator, 4).to(device)).requiresGrad(true));
        List<Tensor> targets = List.of(Tensor.of(NDArray.randn(generator, 5, 3).to(device)), Tensor.of(NDArray.randn(generator, 4).to(device)));
        boolean hasRate = Optimizers.hyperparameters(Optimizers.nameOf(name)).names().contains("lr");
        Optimizer optimizer = hasRate ? Optimizers.create(name, params, 0.01) : Optimizers.create(name + (name.startsWith("newtoncg") ? "" : ":maxIter=2"), params);
        if (capturable) {
            optimizer.paramGroups().forEach(group -> group.set("capturable", true));
        }
        LossClosure lossClosure = () -> {
            optimizer.zeroGrad();
            Tensor loss = null;
            for (int i = 0; i < params.size(); i++) {
                Tensor difference = params.get(i).sub(targets.get(i));
                Tensor term = difference.mul(difference).mul(difference).mul(difference).sum().add(params.get(i).mul(targets.get(i)).sum());
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            return loss;
        };
        // least squares: the residuals (p - t)^2 of every entry, whose half sum of squares is a quartic as above
        LossClosure residuals = () -> Tensor.concat(0, params.get(0).sub(targets.get(0)).square().reshape(-1),
                params.get(1).sub(targets.get(1)).square().reshape(-1));
        LossClosure closure = optimizer.closureKind() == Optimizer.ClosureKind.RESIDUALS ? residuals : lossClosure;
        for (int step = 0; step < 3; step++) {
            optimizer.step(closure);
            if (changingRate) {
                optimizer.paramGroups().get(0).setLr(0.01 / (step + 2));   // a capturable step must read the new rate on the device
            }
        }
        List<float[]> values = new ArrayList<>();
        for (Tensor p : params) {
            assertEquals(device, p.device(), name);
            values.add(p.data().toFloatArray());
        }
        return values;
    }

    @Test
    void everyOptimizerStepsOnTheDeviceExactlyAsOnTheCpu() {
        for (String name : Optimizers.names()) {
            List<float[]> cpu = run(name, Device.CPU);
            List<float[]> device = run(name, CUDA);
            for (int i = 0; i < cpu.size(); i++) {
                assertArrayEquals(cpu.get(i), device.get(i), 0, name + ", parameter " + i);
            }
        }
    }

    @Test
    void capturableAdamKeepsStepAndRateOnTheDeviceWithTheSameResults() {
        for (String name : new String[] {"adam", "adamw", "adam:amsgrad=true"}) {
            List<float[]> plain = run(name, Device.CPU, false, true);
            List<float[]> onDevice = run(name, CUDA, true, true);
            for (int i = 0; i < plain.size(); i++) {
                assertArrayEquals(plain.get(i), onDevice.get(i), 0, name + ", parameter " + i);
            }
        }
        assertTrue(Optimizers.create("adam:capturable=true", List.of(Tensor.zeros(1).requiresGrad(true)), 0.1).capturable());
        assertFalse(Optimizers.create("sgd", List.of(Tensor.zeros(1).requiresGrad(true)), 0.1).capturable());
    }
}
