package dev.descent.data;

import dev.descent.core.Generator;
import dev.descent.core.NDArray;

/**
 * Elastic distortion (Simard, Steinkraus and Platt, 2003): a random displacement field, uniform
 * in [-1, 1] per pixel, smoothed with a Gaussian of standard deviation {@code sigma} and scaled
 * by {@code alpha}, moves every pixel; the image is resampled bilinearly. Typical for MNIST:
 * alpha 34, sigma 4.
 */
public final class ElasticDistortion implements Transform {
    private final double alpha;
    private final double sigma;
    private final Generator generator;

    public ElasticDistortion(double alpha, double sigma, Generator generator) {
        if (!(alpha >= 0) || !(sigma > 0)) {
            throw new IllegalArgumentException("ElasticDistortion: needs alpha >= 0 and sigma > 0, got " + alpha + " and " + sigma);
        }
        this.alpha = alpha;
        this.sigma = sigma;
        this.generator = generator;
    }

    @Override
    public NDArray apply(NDArray image) {
        int[] size = Images.size("ElasticDistortion", image);
        double[] dy = smoothedField(size[0], size[1]);
        double[] dx = smoothedField(size[0], size[1]);
        int width = size[1];
        return Images.remap(image, (y, x, source) -> {
            source[0] = y + alpha * dy[y * width + x];
            source[1] = x + alpha * dx[y * width + x];
        });
    }

    /** Uniform noise convolved with a normalized Gaussian, separably (rows then columns), zero beyond the border. */
    private double[] smoothedField(int height, int width) {
        double[] field = new double[height * width];
        for (int i = 0; i < field.length; i++) {
            field[i] = 2 * generator.nextDouble() - 1;
        }
        int radius = (int) Math.ceil(3 * sigma);
        double[] kernel = new double[2 * radius + 1];
        double total = 0;
        for (int k = -radius; k <= radius; k++) {
            kernel[k + radius] = Math.exp(-k * k / (2 * sigma * sigma));
            total += kernel[k + radius];
        }
        for (int k = 0; k < kernel.length; k++) {
            kernel[k] /= total;
        }
        double[] rows = new double[field.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double sum = 0;
                for (int k = -radius; k <= radius; k++) {
                    int xx = x + k;
                    if (xx >= 0 && xx < width) {
                        sum += kernel[k + radius] * field[y * width + xx];
                    }
                }
                rows[y * width + x] = sum;
            }
        }
        double[] smoothed = new double[field.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double sum = 0;
                for (int k = -radius; k <= radius; k++) {
                    int yy = y + k;
                    if (yy >= 0 && yy < height) {
                        sum += kernel[k + radius] * rows[yy * width + x];
                    }
                }
                smoothed[y * width + x] = sum;
            }
        }
        return smoothed;
    }
}
