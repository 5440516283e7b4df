package dev.descent.examples;

import java.util.Arrays;
import java.util.Locale;

/**
 * A heat map of values on a square grid, with contour lines: the cells coloured by band (levels at
 * quantiles of the values, so that the basin and the walls both show however steep the walls are),
 * each band's edge drawn darker as the contour, and axes with nice ticks.
 */
final class HeatMap {
    static final int LEVELS = 14;

    private HeatMap() {
    }

    /** The map of {@code values[row][col]} at x = {@code xs[col]}, y = {@code ys[row]} (increasing), the centre marked. */
    static String svg(String title, String xLabel, String yLabel, double[] xs, double[] ys, double[][] values) {
        int cell = Math.max(4, 420 / xs.length);
        int size = cell * xs.length;
        int left = 70;
        int top = 40;
        int width = left + size + 190;
        int height = top + size + 60;
        double[] sorted = Arrays.stream(values).flatMapToDouble(Arrays::stream).filter(Double::isFinite).sorted().toArray();
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
                + " style=\"width:100%%;max-width:%dpx;height:auto\" font-family=\"sans-serif\">", width, height, width * 3 / 2));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"16\">%s</text>", width / 2,
                Svg.escape(title)));
        if (sorted.length == 0) {
            return svg.append("<text x=\"70\" y=\"70\">no finite value</text></svg>").toString();
        }
        double[] levels = new double[LEVELS];
        for (int k = 0; k < LEVELS; k++) {
            levels[k] = sorted[(int) ((k + 1.0) / (LEVELS + 1) * (sorted.length - 1))];
        }
        int rows = ys.length;
        int cols = xs.length;
        int[][] band = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = values[r][c];
                int b = Double.isFinite(v) ? Arrays.binarySearch(levels, v) : -LEVELS - 1;
                band[r][c] = b >= 0 ? b : -b - 1;
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int x = left + c * cell;
                int y = top + (rows - 1 - r) * cell;   // the first row at the bottom
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", x, y, cell, cell,
                        color((double) band[r][c] / LEVELS)));
                if (c + 1 < cols && band[r][c + 1] != band[r][c]) {
                    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1\"/>",
                            x + cell, y, x + cell, y + cell));
                }
                if (r + 1 < rows && band[r + 1][c] != band[r][c]) {
                    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1\"/>",
                            x, y, x + cell, y));
                }
            }
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", left, top,
                size, size));
        ChartAxis xAxis = ChartAxis.linear(xs[0], xs[cols - 1], false, false);
        ChartAxis yAxis = ChartAxis.linear(ys[0], ys[rows - 1], false, false);
        String[] xTicks = xAxis.labels();
        for (int t = 0; t < xTicks.length; t++) {
            double value = xAxis.ticks()[t];
            if (value >= xs[0] && value <= xs[cols - 1]) {
                double px = left + (value - xs[0]) / (xs[cols - 1] - xs[0]) * (size - cell) + cell / 2.0;
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>", px,
                        top + size + 16, xTicks[t]));
            }
        }
        String[] yTicks = yAxis.labels();
        for (int t = 0; t < yTicks.length; t++) {
            double value = yAxis.ticks()[t];
            if (value >= ys[0] && value <= ys[rows - 1]) {
                double py = top + size - ((value - ys[0]) / (ys[rows - 1] - ys[0]) * (size - cell) + cell / 2.0);
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">%s</text>", left - 6, py + 4,
                        yTicks[t]));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">%s</text>", left + size / 2,
                top + size + 36, Svg.escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 %d)\">%s</text>",
                top + size / 2, top + size / 2, Svg.escape(yLabel)));
        // the colour scale: each band's lower level
        for (int k = 0; k <= LEVELS; k++) {
            int y = top + size - (k + 1) * size / (LEVELS + 1);
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"%d\" fill=\"%s\"/>", left + size + 20, y,
                    size / (LEVELS + 1), color((double) k / LEVELS)));
            if (k < LEVELS && k % 2 == 0) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", left + size + 42, y + 4,
                        String.format(Locale.ROOT, "%.3g", levels[k])));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", left + size + 20, top - 6,
                "loss (quantile bands)"));
        return svg.append("</svg>").toString();
    }

    /** A perceptual ramp from dark blue (low) through green to yellow (high), like viridis. */
    static String color(double t) {
        double[][] stops = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        double position = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) position);
        double f = position - i;
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", (int) Math.round(stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
                (int) Math.round(stops[i][1] + f * (stops[i + 1][1] - stops[i][1])), (int) Math.round(stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
    }
}
