package dev.descent.examples;

import dev.descent.core.Device;
import dev.descent.data.Dataset;
import dev.descent.data.TensorDataset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --device} flag of every command that trains: {@code cpu}, {@code cuda} (the first
 * GPU) or {@code cuda:N}, checked before the command does anything else, so a machine without
 * the GPU asked for gets one line and exit code 2, not a half-made run.
 */
final class DeviceFlag {
    static final String HELP = "cpu, cuda or cuda:N (a GPU; DESCENT_CUDA_EMULATE=1 makes cuda:0 an emulated one on the host)";
    private static final Pattern CUDA = Pattern.compile("cuda(?::(\\d{1,4}))?");

    private DeviceFlag() {
    }

    /** The device {@code value} names, usable on this machine. */
    static Device parse(String command, String value) {
        if (value.equals("cpu")) {
            return Device.CPU;
        }
        Matcher cuda = CUDA.matcher(value);
        if (!cuda.matches()) {
            throw new UsageException(command + ": --device " + value + ": expected cpu, cuda or cuda:N");
        }
        if (!Device.cudaAvailable()) {
            throw new UsageException(command + " --device " + value + ": no usable GPU here: " + Device.cudaStatus() + "; use --device cpu");
        }
        int index = cuda.group(1) == null ? 0 : Integer.parseInt(cuda.group(1));
        int count = Device.cudaDeviceCount();
        if (index >= count) {
            throw new UsageException(command + ": --device " + value + ": this machine has " + count + " CUDA device(s), cuda:0"
                    + (count > 1 ? " to cuda:" + (count - 1) : ""));
        }
        return Device.cuda(index);
    }

    /**
     * A tensor dataset (or a subset of one) with its arrays on {@code device} (about 200 MB for
     * MNIST on a GPU: a batch is then a gather there, not a transfer); other datasets stay on the
     * host and their batches move each step.
     */
    static Dataset stage(Dataset dataset, Device device) {
        if (!device.equals(Device.CPU) && dataset instanceof TensorDataset tensors) {
            return tensors.to(device);
        }
        return dataset;
    }
}
