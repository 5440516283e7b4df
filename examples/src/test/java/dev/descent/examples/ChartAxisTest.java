package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Generator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Chart axes read as a person expects: nice ticks, whole-number axes for counts, zero-based non-negative quantities. */
class ChartAxisTest {
    @Test
    void theReportsOldAxesNowTickAtNiceNumbers() {
        // the loss axis that read 0.2271 0.1750 0.1229 0.07083
        ChartAxis loss = ChartAxis.linear(0.07083, 0.2271, false, true);
        assertArrayEquals(new String[] {"0.00", "0.05", "0.10", "0.15", "0.20", "0.25"}, loss.labels());
        // epochs that read 1.000 2.000 ... 5.000
        assertArrayEquals(new String[] {"1", "2", "3", "4", "5"}, ChartAxis.linear(1, 5, true, false).labels());
        // steps that read 587.0 1173
        assertArrayEquals(new String[] {"0", "200", "400", "600", "800", "1,000", "1,200"}, ChartAxis.linear(1, 1173, true, false).labels());
        // a learning rate that went down to -5.000e-05
        ChartAxis rate = ChartAxis.linear(0, 1e-3, false, true);
        assertEquals(0, rate.min());
        assertArrayEquals(new String[] {"0.0000", "0.0002", "0.0004", "0.0006", "0.0008", "0.0010"}, rate.labels());
        assertArrayEquals(new String[] {"0.001", "0.01", "0.1", "1", "10"}, ChartAxis.logarithmic(1.2e-3, 2.3).labels());
        assertArrayEquals(new String[] {"1e-7", "2e-7", "5e-7", "1e-6", "2e-6", "5e-6", "1e-5"}, ChartAxis.logarithmic(2e-7, 9e-6).labels(),
                "two decades: 1, 2 and 5 times each power");
    }

    @Test
    void randomRangesGetAFewNiceTicksCoveringTheData() {
        Generator random = new Generator(17);
        for (int trial = 0; trial < 200; trial++) {
            double low = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(8) - 3);
            double high = low + random.nextDouble() * Math.pow(10, random.nextInt(8) - 3);
            boolean whole = random.nextInt(2) == 0;
            if (whole) {
                low = Math.rint(low);
                high = Math.rint(high);
            }
            ChartAxis axis = ChartAxis.linear(low, high, whole, false);
            double[] ticks = axis.ticks();
            assertTrue(ticks.length >= 2 && ticks.length <= 12, low + ".." + high + ": " + ticks.length + " ticks");
            assertTrue(axis.min() <= low && axis.max() >= high, low + ".." + high + " within " + axis.min() + ".." + axis.max());
            double step = ticks[1] - ticks[0];
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            assertTrue(List.of(1.0, 2.0, 5.0).stream().anyMatch(m -> Math.abs(m - mantissa) < 1e-6), "step " + step);
            if (whole) {
                assertTrue(step >= 1 && step == Math.rint(step), "whole-number axis with step " + step);
            }
            String[] labels = axis.labels();
            assertEquals(labels.length, java.util.Arrays.stream(labels).distinct().count(), "distinct labels " + String.join(" ", labels));
        }
    }

    @Test
    void aChartKeepsItsLegendBelowThePlotAndScalesToThePage() {
        String svg = Svg.lineChart("Loss", "epoch", "loss", List.of(new Svg.Series("train", new double[] {1, 2, 3}, new double[] {0.5, 0.3, 0.2}),
                new Svg.Series("test", new double[] {1, 2, 3}, new double[] {0.6, 0.4, 0.35})), false);
        assertTrue(svg.contains("width:100%"), svg);
        Matcher plot = Pattern.compile("<rect x=\"\\d+\" y=\"(\\d+)\" width=\"\\d+\" height=\"(\\d+)\" fill=\"#fafafa\"").matcher(svg);
        assertTrue(plot.find());
        int plotBottom = Integer.parseInt(plot.group(1)) + Integer.parseInt(plot.group(2));
        Matcher legend = Pattern.compile("<text x=\"\\d+\" y=\"(\\d+)\" font-size=\"12\">(train|test)</text>").matcher(svg);
        int entries = 0;
        while (legend.find()) {
            assertTrue(Integer.parseInt(legend.group(1)) > plotBottom, "legend entry " + legend.group(2) + " below the plot");
            entries++;
        }
        assertEquals(2, entries);
        assertFalse(svg.contains("1.000"), "epochs tick as whole numbers");
    }
}
