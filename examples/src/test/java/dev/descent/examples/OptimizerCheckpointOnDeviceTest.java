package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Tensor;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.cuda.EmulatedGpu;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Loading a saved optimizer over parameters on the emulated cuda:0 puts each state array where the optimizer would have made it. */
@ExtendWith(EmulatedGpu.class)
class OptimizerCheckpointOnDeviceTest {
    private static final Device GPU = Device.cuda(0);

    @TempDir
    Path directory;

    private static List<Tensor> parameters(Device device) {
        return List.of(Tensor.of(NDArray.randn(new Generator(5), 3, 4).to(device)).requiresGrad(true));
    }

    private static Optimizer stepped(String spec, Device device) {
        Optimizer optimizer = Optimizers.create(spec, parameters(device));
        Tensor param = optimizer.paramGroups().get(0).params().get(0);
        for (int i = 0; i < 2; i++) {
            optimizer.step(() -> {
                optimizer.zeroGrad();
                Tensor loss = param.mul(1.5).sub(0.25).square().sum();
                loss.backward();
                return loss;
            });
        }
        return optimizer;
    }

    /** Each state array's device, by key, after saving {@code spec}'s state from {@code from} and loading it over parameters on the GPU. */
    private Map<String, Device> devicesAfterLoading(String spec, Device from) throws IOException {
        Path saved = Files.createDirectories(directory.resolve(spec.replaceAll("[^a-z]", "") + "-" + from.type()));
        OptimizerCheckpoint.save(stepped(spec, from).stateDict(), saved);
        Optimizer onGpu = Optimizers.create(spec, parameters(GPU));
        OptimizerCheckpoint.load(saved, onGpu);
        Map<String, Device> devices = new java.util.TreeMap<>();
        onGpu.stateDict().state().get(0).forEach((key, array) -> devices.put(key, array.device()));
        return devices;
    }

    @Test
    void stateArraysLandWhereTheOptimizerKeepsThem() throws IOException {
        for (Device from : List.of(Device.CPU, GPU)) {
            assertEquals(Map.of("exp_avg", GPU, "exp_avg_sq", GPU, "step", Device.CPU), devicesAfterLoading("adam", from), "adam from " + from);
            assertEquals(Map.of("exp_avg", GPU, "exp_avg_sq", GPU, "step", GPU), devicesAfterLoading("adam:capturable=true", from),
                    "capturable adam from " + from);
        }
        devicesAfterLoading("lbfgs", GPU).forEach((key, device) -> assertEquals(Device.CPU, device, "lbfgs keeps '" + key + "' on the host"));
    }
}
