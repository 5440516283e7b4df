package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.nn.Module;
import java.util.Arrays;

/**
 * Averages every {@code size} &times; {@code size} block of a one-channel image and flattens the
 * result: [N, 1, H, W] &rarr; [N, (H / size) (W / size)]. A fixed, parameter-free reduction of the
 * input, so that a linear model of MNIST has few enough parameters (49 &times; 10 + 10 = 500 for
 * size 4) for the methods that form a dense matrix of all of them.
 */
final class PixelAveraging extends Module {
    private final int size;

    PixelAveraging(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("PixelAveraging: the block size must be positive, got " + size);
        }
        this.size = size;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] shape = input.shape();
        if (shape.length != 4 || shape[1] != 1 || shape[2] % size != 0 || shape[3] % size != 0) {
            throw new IllegalArgumentException("PixelAveraging: expected images of shape [N, 1, H, W] with H and W multiples of " + size
                    + ", got " + Arrays.toString(shape));
        }
        int rows = shape[2] / size;
        int columns = shape[3] / size;
        return input.reshape(shape[0], rows, size, columns, size).mean(new int[] {2, 4}, false).reshape(shape[0], rows * columns);
    }

    @Override
    protected String describe() {
        return "size=" + size;
    }
}
