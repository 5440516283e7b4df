package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import org.junit.jupiter.api.Test;

class TransformTest {
    /** A 28 x 28 image, zero but for a bright 4 x 4 square at rows 10-13, columns 4-7. */
    private static NDArray square() {
        NDArray image = NDArray.zeros(1, 28, 28);
        image.narrow(1, 10, 4).narrow(2, 4, 4).fill(1);
        return image;
    }

    /** The intensity-weighted mean position (row, column). */
    private static double[] centerOfMass(NDArray image) {
        float[] pixels = image.toFloatArray();
        double total = 0;
        double row = 0;
        double column = 0;
        for (int i = 0; i < pixels.length; i++) {
            total += pixels[i];
            row += pixels[i] * (i / 28);
            column += pixels[i] * (i % 28);
        }
        return new double[] {row / total, column / total};
    }

    @Test
    void toTensorAndNormalizeScalePixels() {
        NDArray pixels = NDArray.of(new int[] {0, 255, 51, 102}, 2, 2);
        NDArray tensor = new ToTensor().apply(pixels);
        assertArrayEquals(new int[] {1, 2, 2}, tensor.shape());
        assertEquals(DType.FLOAT32, tensor.dtype());
        assertArrayEquals(new double[] {0, 1, 0.2, 0.4}, tensor.toDoubleArray(), 1e-7);
        assertArrayEquals(new int[] {3, 1, 2, 2}, new ToTensor().apply(NDArray.zeros(DType.INT32, 3, 2, 2)).shape());
        NDArray normalized = new Normalize(0.5, 0.25).apply(tensor);
        assertArrayEquals(new double[] {-2, 2, -1.2, -0.4}, normalized.toDoubleArray(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new Normalize(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ToTensor().apply(NDArray.zeros(5)));
    }

    @Test
    void toTensorAndComposeNeverChangeTheirInput() {
        for (DType dtype : DType.values()) {
            NDArray pixels = NDArray.of(new java.util.Random(4).ints(75, 0, 256).toArray(), 3, 5, 5).astype(dtype);
            double[] before = pixels.toDoubleArray();
            NDArray scaled = new ToTensor().apply(pixels);
            assertArrayEquals(before, pixels.toDoubleArray(), 0, dtype + " input divided in place");
            Normalize normalize = new Normalize(0.1307, 0.3081);
            NDArray composed = new Compose(new ToTensor(), normalize).apply(pixels);
            assertArrayEquals(before, pixels.toDoubleArray(), 0, dtype + " input changed by Compose");
            // Compose runs Normalize in ToTensor's new array: the same values as the two steps apart
            assertArrayEquals(normalize.apply(scaled).toFloatArray(), composed.toFloatArray(), 0f);
            assertArrayEquals(before, new ToTensor().apply(pixels).mul(255).toDoubleArray(), 1e-4);
        }
    }

    @Test
    void standardizationIsFittedOnTrainingDataAndSavedWithIt() {
        NDArray train = NDArray.randn(DType.FLOAT64, new Generator(1), 1000, 3).muli(NDArray.of(new double[] {1, 5, 0.1}))
                .addi(NDArray.of(new double[] {2, -1, 7}));
        Standardize standardize = Standardize.fit(train);
        NDArray z = standardize.apply(train);
        assertTrue(z.mean(new int[] {0}, false).abs().max().item() < 1e-12);
        assertTrue(z.std(new int[] {0}, 0, false).sub(1).abs().max().item() < 1e-12);
        Standardize restored = Standardize.fromState(standardize.state());
        assertEquals(z, restored.apply(train));
        NDArray constant = Standardize.fit(NDArray.ones(DType.FLOAT64, 4, 2)).apply(NDArray.ones(DType.FLOAT64, 1, 2));
        assertTrue(Double.isFinite(constant.sum().item()), "constant features are centered, not divided by zero");
    }

    @Test
    void affineAugmentationsMoveRotateAndScaleAsConfigured() {
        NDArray image = square();
        double[] before = centerOfMass(image);
        NDArray shifted = RandomAffine.translation(3, new Generator(5)).apply(image);
        double[] after = centerOfMass(shifted);
        assertTrue(Math.abs(after[0] - before[0]) <= 3.01 && Math.abs(after[1] - before[1]) <= 3.01);
        assertTrue(Math.abs(after[0] - before[0]) + Math.abs(after[1] - before[1]) > 0.1, "the image moved");
        assertEquals(image.sum().item(), shifted.sum().item(), 1e-3, "a shift keeps the mass");
        assertEquals(image, RandomAffine.rotation(0, new Generator(1)).apply(image), "rotating by at most 0 degrees changes nothing");
        NDArray rotated = RandomAffine.rotation(30, new Generator(2)).apply(image);
        double radius = Math.hypot(before[0] - 13.5, before[1] - 13.5);
        double[] r = centerOfMass(rotated);
        assertEquals(radius, Math.hypot(r[0] - 13.5, r[1] - 13.5), 0.3, "rotation about the center keeps the distance to it");
        NDArray centered = NDArray.zeros(1, 28, 28);
        centered.narrow(1, 12, 4).narrow(2, 12, 4).fill(1);
        NDArray scaled = RandomAffine.scaling(2, 2, new Generator(3)).apply(centered);
        assertEquals(4 * centered.sum().item(), scaled.sum().item(), 2, "scaling by 2 about the center quadruples the area");
        assertEquals(RandomAffine.rotation(15, new Generator(9)).apply(image), RandomAffine.rotation(15, new Generator(9)).apply(image),
                "seeded transforms repeat");
    }

    @Test
    void flipsCropsNoiseCutoutAndElasticDistortion() {
        NDArray image = square();
        NDArray flipped = new RandomHorizontalFlip(1, new Generator(1)).apply(image);
        assertEquals(28 - 1 - centerOfMass(image)[1], centerOfMass(flipped)[1], 1e-9);
        assertEquals(image, new RandomHorizontalFlip(1, new Generator(1)).apply(flipped));
        assertEquals(image, new RandomHorizontalFlip(0, new Generator(1)).apply(image));
        NDArray cropped = new RandomCrop(4, new Generator(2)).apply(image);
        assertArrayEquals(image.shape(), cropped.shape());
        assertEquals(image.sum().item(), cropped.sum().item(), 1e-6, "a 4-pixel crop offset keeps this square in view");
        NDArray noisy = new GaussianNoise(0.5, new Generator(3)).apply(NDArray.zeros(1, 100, 100));
        assertEquals(0.5, noisy.std().item(), 0.02);
        NDArray occluded = new Cutout(8, 0, new Generator(4)).apply(NDArray.ones(1, 28, 28));
        double hidden = 28 * 28 - occluded.sum().item();
        assertTrue(hidden > 0 && hidden <= 64, "hidden " + hidden);
        NDArray elastic = new ElasticDistortion(34, 4, new Generator(5)).apply(image);
        assertArrayEquals(image.shape(), elastic.shape());
        assertNotEquals(image, elastic);
        assertEquals(elastic, new ElasticDistortion(34, 4, new Generator(5)).apply(image));
        assertEquals(image, new ElasticDistortion(0, 4, new Generator(5)).apply(image), "alpha 0 moves nothing");
        NDArray composed = new Compose(new RandomCrop(2, new Generator(6)), new GaussianNoise(0.1, new Generator(7))).apply(image);
        assertArrayEquals(image.shape(), composed.shape());
        assertThrows(IllegalArgumentException.class, () -> new Cutout(0, 0, new Generator(1)));
        assertThrows(IllegalArgumentException.class, () -> new RandomAffine(-1, 0, 1, 1, new Generator(1)));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(2, new Generator(1)).apply(NDArray.zeros(2, 2, 2, 2)));
    }

    @Test
    void pcaWhiteningDecorrelatesToIdentityCovariance() {
        Generator g = new Generator(12);
        NDArray mixing = NDArray.of(new double[] {2, 0, 0, 1, 0.5, 0, 0.3, -1, 0.2}, 3, 3);
        NDArray samples = NDArray.randn(DType.FLOAT64, g, 5000, 3).matmul(mixing).addi(NDArray.of(new double[] {1, -2, 3}));
        PcaWhitening pca = PcaWhitening.fit(samples, 3, 0);
        NDArray z = pca.apply(samples);
        NDArray covariance = z.t().matmul(z).divi(5000 - 1);
        assertTrue(covariance.allClose(NDArray.eye(DType.FLOAT64, 3), 0, 1e-10), covariance.toString());
        assertTrue(z.mean(new int[] {0}, false).abs().max().item() < 1e-12);
        double[] variances = samples.sub(samples.mean(new int[] {0}, true)).matmul(pca.state().get("pca.projection").t())
                .var(new int[] {0}, 1, false).toDoubleArray();
        assertArrayEquals(new double[] {1, 1, 1}, variances, 1e-10);
        PcaWhitening reduced = PcaWhitening.fit(samples, 2, 1e-5);
        assertArrayEquals(new int[] {5000, 2}, reduced.apply(samples).shape());
        assertArrayEquals(new int[] {2}, reduced.apply(samples.select(0, 0)).shape(), "one sample in, one whitened vector out");
        assertEquals(pca.apply(samples), PcaWhitening.fromState(pca.state()).apply(samples));
        assertThrows(IllegalArgumentException.class, () -> PcaWhitening.fit(samples, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> pca.apply(NDArray.zeros(DType.FLOAT64, 2, 5)));
    }
}
