package dev.descent.data;

import dev.descent.core.NDArray;

/**
 * Helpers for augmenting one image given as [H, W] or [C, H, W]: the pixels as a float array per
 * channel, and bilinear sampling at fractional positions (zero outside the image).
 */
final class Images {
    private Images() {
    }

    /** Height and width of an image array, with a clear error for anything else. */
    static int[] size(String op, NDArray image) {
        if (image.rank() != 2 && image.rank() != 3) {
            throw new IllegalArgumentException(op + ": expected an image [H, W] or [C, H, W], got shape "
                    + java.util.Arrays.toString(image.shape()));
        }
        return new int[] {image.shape(-2), image.shape(-1)};
    }

    /** The value at fractional position (y, x) of a channel, bilinearly interpolated; 0 outside. */
    static float sample(float[] pixels, int offset, int height, int width, double y, double x) {
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        double fy = y - y0;
        double fx = x - x0;
        double value = 0;
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                int yy = y0 + dy;
                int xx = x0 + dx;
                if (yy >= 0 && yy < height && xx >= 0 && xx < width) {
                    double weight = (dy == 0 ? 1 - fy : fy) * (dx == 0 ? 1 - fx : fx);
                    value += weight * pixels[offset + yy * width + xx];
                }
            }
        }
        return (float) value;
    }

    /** Rebuilds an array of {@code like}'s shape and dtype from FLOAT32 pixels. */
    static NDArray rebuild(NDArray like, float[] pixels) {
        return NDArray.of(pixels, like.shape()).astype(like.dtype());
    }

    /** Output pixel (y, x) of every channel = input at {@code map(y, x)}. */
    static NDArray remap(NDArray image, PositionMap map) {
        int[] size = size("remap", image);
        int height = size[0];
        int width = size[1];
        float[] in = image.toFloatArray();
        float[] out = new float[in.length];
        int channels = in.length / (height * width);
        double[] source = new double[2];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                map.source(y, x, source);
                for (int c = 0; c < channels; c++) {
                    int offset = c * height * width;
                    out[offset + y * width + x] = sample(in, offset, height, width, source[0], source[1]);
                }
            }
        }
        return rebuild(image, out);
    }

    /** Where an output pixel takes its value from: writes (y, x) into {@code source}. */
    @FunctionalInterface
    interface PositionMap {
        void source(int y, int x, double[] source);
    }
}
