package dev.descent.examples;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A 2-D function drawn as filled contours (bands between quantile levels, with their borders
 * darkened into contour lines) under the trajectories of optimizers, as one self-contained SVG:
 * the raster is an embedded PNG, the trajectories and axes are vectors.
 */
final class ContourPlot {
    /** One optimizer's path: its label and the points it visited. */
    record Path(String label, List<double[]> points) {
    }

    private static final int SIZE = 420;
    private static final int MARGIN = 50;
    private static final int LEVELS = 18;

    private ContourPlot() {
    }

    static String svg(TestFunction function, List<Path> paths) {
        double[] w = function.window();
        double[][] values = new double[SIZE][SIZE];
        double[] sorted = new double[SIZE * SIZE];
        for (int row = 0; row < SIZE; row++) {
            for (int col = 0; col < SIZE; col++) {
                double v = function.at(x(w, col + 0.5), y(w, row + 0.5));
                values[row][col] = v;
                sorted[row * SIZE + col] = v;
            }
        }
        Arrays.sort(sorted);
        // Quantile levels spaced more densely near the minimum, where the interesting structure is.
        double[] levels = new double[LEVELS];
        for (int k = 0; k < LEVELS; k++) {
            double q = Math.pow((k + 1.0) / (LEVELS + 1), 2);
            levels[k] = sorted[(int) (q * (sorted.length - 1))];
        }
        int[][] band = new int[SIZE][SIZE];
        for (int row = 0; row < SIZE; row++) {
            for (int col = 0; col < SIZE; col++) {
                int b = Arrays.binarySearch(levels, values[row][col]);
                band[row][col] = b >= 0 ? b : -b - 1;
            }
        }
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int row = 0; row < SIZE; row++) {
            for (int col = 0; col < SIZE; col++) {
                int rgb = color((double) band[row][col] / LEVELS);
                boolean edge = (col + 1 < SIZE && band[row][col + 1] != band[row][col]) || (row + 1 < SIZE && band[row + 1][col] != band[row][col]);
                image.setRGB(col, row, edge ? darker(rgb) : rgb);
            }
        }
        StringBuilder svg = new StringBuilder();
        int total = SIZE + 2 * MARGIN + 220;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                + " font-size=\"12\">", total, SIZE + 2 * MARGIN));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>", MARGIN, Svg.escape(function.description())));
        svg.append(String.format(Locale.ROOT, "<image x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" href=\"data:image/png;base64,%s\"/>", MARGIN,
                MARGIN, SIZE, SIZE, PngEncoding.base64(image)));
        svg.append(String.format(Locale.ROOT, "<clipPath id=\"plot\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/></clipPath>", MARGIN,
                MARGIN, SIZE, SIZE));
        axes(svg, w);
        double[] special = function.special();
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"18\" text-anchor=\"middle\" fill=\"white\">&#9733;</text>",
                px(w, special[0]), py(w, special[1]) + 6));
        int legendY = MARGIN + 10;
        for (int i = 0; i < paths.size(); i++) {
            Path path = paths.get(i);
            String color = Svg.color(i);
            StringBuilder points = new StringBuilder();
            for (double[] p : path.points()) {
                if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", clampPixel(px(w, p[0])), clampPixel(py(w, p[1]))));
                }
            }
            svg.append(String.format(Locale.ROOT, "<g clip-path=\"url(#plot)\"><polyline points=\"%s\" fill=\"none\" stroke=\"%s\""
                    + " stroke-width=\"2\" stroke-opacity=\"0.9\"/>", points, color));
            double[] last = path.points().get(path.points().size() - 1);
            if (Double.isFinite(last[0]) && Double.isFinite(last[1])) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"white\"/>",
                        px(w, last[0]), py(w, last[1]), color));
            }
            svg.append("</g>");
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", MARGIN + SIZE + 20, legendY - 4, color, MARGIN + SIZE + 40, legendY,
                    Svg.escape(path.label())));
            legendY += 18;
        }
        double[] start = function.start();
        if (!paths.isEmpty()) {
            start = paths.get(0).points().get(0);
        }
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"black\" stroke=\"white\"/>", px(w, start[0]),
                py(w, start[1])));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">&#9679; start   &#9733; %s</text>", MARGIN + SIZE + 20,
                legendY + 10, function.name().equals("saddle") ? "saddle point" : "minimum"));
        return svg.append("</svg>").toString();
    }

    private static void axes(StringBuilder svg, double[] w) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>", MARGIN,
                MARGIN, SIZE, SIZE));
        for (int k = 0; k <= 4; k++) {
            double xv = w[0] + (w[1] - w[0]) * k / 4;
            double yv = w[2] + (w[3] - w[2]) * k / 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", px(w, xv), MARGIN + SIZE + 18,
                    tick(xv)));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", MARGIN - 6, py(w, yv) + 4,
                    tick(yv)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">x</text>", MARGIN + SIZE / 2, MARGIN + SIZE + 36));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">y</text>", MARGIN - 34, MARGIN + SIZE / 2));
    }

    private static String tick(double v) {
        return String.format(Locale.ROOT, Math.abs(v - Math.rint(v)) < 1e-9 ? "%.0f" : "%.2f", v);
    }

    private static double x(double[] w, double col) {
        return w[0] + (w[1] - w[0]) * col / SIZE;
    }

    private static double y(double[] w, double row) {
        return w[3] - (w[3] - w[2]) * row / SIZE;
    }

    private static double px(double[] w, double x) {
        return MARGIN + (x - w[0]) / (w[1] - w[0]) * SIZE;
    }

    private static double py(double[] w, double y) {
        return MARGIN + (w[3] - y) / (w[3] - w[2]) * SIZE;
    }

    /** Keeps far-away points (a diverging method) at a drawable distance; the clip path hides them. */
    private static double clampPixel(double v) {
        return Math.max(-10_000, Math.min(10_000, v));
    }

    /** A perceptually ordered ramp from dark blue (low) through green to yellow (high). */
    private static int color(double t) {
        double[][] stops = {{0.18, 0.0, 0.33}, {0.19, 0.37, 0.55}, {0.13, 0.57, 0.55}, {0.37, 0.79, 0.38}, {0.99, 0.91, 0.14}};
        double s = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min((int) s, stops.length - 2);
        double f = s - i;
        int r = (int) Math.round(255 * (stops[i][0] + f * (stops[i + 1][0] - stops[i][0])));
        int g = (int) Math.round(255 * (stops[i][1] + f * (stops[i + 1][1] - stops[i][1])));
        int b = (int) Math.round(255 * (stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
        return (r << 16) | (g << 8) | b;
    }

    private static int darker(int rgb) {
        int r = (int) (((rgb >> 16) & 255) * 0.6);
        int g = (int) (((rgb >> 8) & 255) * 0.6);
        int b = (int) ((rgb & 255) * 0.6);
        return (r << 16) | (g << 8) | b;
    }
}
