package dev.descent.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.cpu.ConvolutionColumns.Source;
import dev.descent.core.cpu.ConvolutionColumns.Taps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float32 copies take whole runs per tap when {@link ConvolutionColumns#rowsFormRuns} holds;
 * the float64 ones still go row by row, so on the same random geometries each is the other's
 * reference: im2col blocks and col2im sums must agree to the last float bit (they are copies and
 * sums of the same values in the same order per element).
 */
class ConvolutionColumnsTest {

    @Test
    void runsOfWholeTapsGiveTheRowByRowBlocksAndSums() {
        Random random = new Random(21);
        int withRuns = 0;
        for (int trial = 0; trial < 300; trial++) {
            int channels = 1 + random.nextInt(3);
            int height = 1 + random.nextInt(9);
            int width = 1 + random.nextInt(9);
            int kernelH = 1 + random.nextInt(3);
            int kernelW = 1 + random.nextInt(3);
            int dilationH = 1 + random.nextInt(2);
            int dilationW = 1 + random.nextInt(2);
            int strideH = 1 + random.nextInt(2);
            int strideW = random.nextInt(3) == 0 ? 2 : 1;
            // "same" padding half of the time, so that runs apply
            boolean same = random.nextBoolean();
            int padTop = same ? dilationH * (kernelH - 1) / 2 : random.nextInt(3);
            int padLeft = same ? dilationW * (kernelW - 1) / 2 : random.nextInt(3);
            int padBottom = same ? dilationH * (kernelH - 1) - padTop : random.nextInt(3);
            int padRight = same ? dilationW * (kernelW - 1) - padLeft : random.nextInt(3);
            int outputH = (height + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
            int outputW = (width + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
            if (outputH < 1 || outputW < 1) {
                continue;
            }
            Taps taps = new Taps(channels, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outputW);
            int images = 2;
            int plane = height * width;
            Source second = new Source(plane * channels, plane, width, 1, height, width);
            withRuns += ConvolutionColumns.rowsFormRuns(second, taps) ? 1 : 0;
            float[] x = new float[images * channels * plane];
            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextInt(2000) - 1000;
                xd[i] = x[i];
            }
            int row0 = random.nextInt(outputH);
            int row1 = row0 + 1 + random.nextInt(outputH - row0);
            int size = channels * kernelH * kernelW * (row1 - row0) * outputW;
            float[] columns = new float[size];
            double[] columnsDouble = new double[size];
            java.util.Arrays.fill(columns, Float.NaN);   // every element must be written
            ConvolutionColumns.gather(x, second, taps, row0, row1, columns);
            ConvolutionColumns.gather(xd, second, taps, row0, row1, columnsDouble);
            for (int i = 0; i < size; i++) {
                assertEquals(columnsDouble[i], columns[i], 0, "gather trial " + trial + " element " + i);
            }
            float[] gradient = new float[size];
            double[] gradientDouble = new double[size];
            for (int i = 0; i < size; i++) {
                gradient[i] = random.nextInt(2000) - 1000;
                gradientDouble[i] = gradient[i];
            }
            float[] sum = new float[x.length];
            double[] sumDouble = new double[x.length];
            ConvolutionColumns.scatterAdd(gradient, taps, row0, row1, sum, second);
            ConvolutionColumns.scatterAdd(gradientDouble, taps, row0, row1, sumDouble, second);
            for (int i = 0; i < x.length; i++) {
                // integers below 2^24 add exactly in float32, so any order gives the same sums
                assertEquals(sumDouble[i], sum[i], 0, "scatterAdd trial " + trial + " element " + i);
            }
            for (int i = 0; i < plane * channels; i++) {
                assertEquals(0f, sum[i], "scatterAdd wrote into the other image, trial " + trial);
            }
        }
        assertTrue(withRuns > 50, "only " + withRuns + " geometries took the runs");
    }
}
