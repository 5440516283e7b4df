package dev.descent.examples;

import java.util.List;
import java.util.Locale;

/** Small self-contained SVG charts for the HTML report: line charts and a confusion matrix. */
final class Svg {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#17becf", "#7f7f7f", "#bcbd22"};

    /** One line of a chart. */
    record Series(String name, double[] x, double[] y) {
    }

    private Svg() {
    }

    static String color(int index) {
        return COLORS[index % COLORS.length];
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * A line chart with axes, ticks, a legend, and optionally a logarithmic y axis. The axes tick at
     * nice numbers ({@link ChartAxis}): whole numbers only when every x is whole (epochs, steps,
     * iterations), and a y axis from zero when every value is non-negative, unless it is logarithmic.
     * The legend sits below the plot, so it never covers a line, and the chart scales to the page's
     * width.
     */
    static String lineChart(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        int width = 800;
        int left = 78;
        int right = 24;
        int top = 40;
        int plotHeight = 300;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        boolean wholeX = true;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double y = s.y()[i];
                if (!Double.isFinite(y) || !Double.isFinite(s.x()[i]) || (logY && !(y > 0))) {
                    continue;
                }
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
                wholeX &= s.x()[i] == Math.rint(s.x()[i]);
            }
        }
        int plotWidth = width - left - right;
        // the legend below the plot: as many entries per row as fit
        List<int[]> legendAt = new java.util.ArrayList<>();
        int lx = left;
        int row = 0;
        for (Series s : series) {
            int entry = 22 + 7 * s.name().length() + 18;
            if (lx + entry > left + plotWidth && lx > left) {
                row++;
                lx = left;
            }
            legendAt.add(new int[] {lx, row});
            lx += entry;
        }
        int legendTop = top + plotHeight + 60;   // below the axis label, which sits at + 38
        int height = legendTop + (series.isEmpty() ? 0 : 18 * (row + 1)) + 6;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" style=\"width:100%;max-width:").append(width * 3 / 2).append("px;height:auto\" font-family=\"sans-serif\">");
        svg.append("<text x=\"").append(width / 2).append("\" y=\"22\" text-anchor=\"middle\" font-size=\"16\">")
                .append(escape(title)).append("</text>");
        if (!Double.isFinite(xMin)) {
            return svg.append("<text x=\"").append(left).append("\" y=\"70\">no data</text></svg>").toString();
        }
        ChartAxis xAxis = ChartAxis.linear(xMin, xMax, wholeX, false);
        ChartAxis yAxis = logY ? ChartAxis.logarithmic(yMin, yMax) : ChartAxis.linear(yMin, yMax, false, yMin >= 0);
        svg.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(plotWidth)
                .append("\" height=\"").append(plotHeight).append("\" fill=\"#fafafa\" stroke=\"#999\"/>");
        String[] yLabels = yAxis.labels();
        for (int t = 0; t < yAxis.ticks().length; t++) {
            double py = top + plotHeight * (1 - yAxis.fraction(yAxis.ticks()[t]));
            svg.append("<line x1=\"").append(left).append("\" x2=\"").append(left + plotWidth).append("\" y1=\"").append(f(py))
                    .append("\" y2=\"").append(f(py)).append("\" stroke=\"#e4e4e4\"/>");
            svg.append("<text x=\"").append(left - 6).append("\" y=\"").append(f(py + 4)).append("\" text-anchor=\"end\" font-size=\"12\">")
                    .append(yLabels[t]).append("</text>");
        }
        String[] xLabels = xAxis.labels();
        for (int t = 0; t < xAxis.ticks().length; t++) {
            double px = left + plotWidth * xAxis.fraction(xAxis.ticks()[t]);
            svg.append("<line x1=\"").append(f(px)).append("\" x2=\"").append(f(px)).append("\" y1=\"").append(top + plotHeight)
                    .append("\" y2=\"").append(top + plotHeight + 4).append("\" stroke=\"#999\"/>");
            svg.append("<text x=\"").append(f(px)).append("\" y=\"").append(top + plotHeight + 18)
                    .append("\" text-anchor=\"middle\" font-size=\"12\">").append(xLabels[t]).append("</text>");
        }
        svg.append("<text x=\"").append(left + plotWidth / 2).append("\" y=\"").append(top + plotHeight + 38)
                .append("\" text-anchor=\"middle\" font-size=\"13\">").append(escape(xLabel)).append("</text>");
        svg.append("<text x=\"16\" y=\"").append(top + plotHeight / 2).append("\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 ")
                .append(top + plotHeight / 2).append(")\">").append(escape(yLabel + (logY ? " (log scale)" : ""))).append("</text>");
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            StringBuilder points = new StringBuilder();
            int stride = Math.max(1, s.x().length / 2000);
            for (int i = 0; i < s.x().length; i += stride) {
                double y = s.y()[i];
                if (!Double.isFinite(y) || (logY && !(y > 0))) {
                    continue;
                }
                points.append(f(left + plotWidth * xAxis.fraction(s.x()[i]))).append(',')
                        .append(f(top + plotHeight * (1 - yAxis.fraction(y)))).append(' ');
            }
            svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(color(k)).append("\" points=\"")
                    .append(points).append("\"/>");
            if (s.x().length <= 60) {
                for (int i = 0; i < s.x().length; i++) {
                    double y = s.y()[i];
                    if (Double.isFinite(y) && (!logY || y > 0)) {
                        svg.append("<circle r=\"3\" fill=\"").append(color(k)).append("\" cx=\"").append(f(left + plotWidth * xAxis.fraction(s.x()[i])))
                                .append("\" cy=\"").append(f(top + plotHeight * (1 - yAxis.fraction(y)))).append("\"/>");
                    }
                }
            }
            int[] at = legendAt.get(k);
            int ly = legendTop + 18 * at[1];
            svg.append("<rect x=\"").append(at[0]).append("\" y=\"").append(ly - 6).append("\" width=\"16\" height=\"4\" fill=\"")
                    .append(color(k)).append("\"/><text x=\"").append(at[0] + 22).append("\" y=\"").append(ly)
                    .append("\" font-size=\"12\">").append(escape(s.name())).append("</text>");
        }
        return svg.append("</svg>").toString();
    }

    /** A heat map of counts[true][predicted] with the counts written in the cells. */
    static String confusionMatrix(long[][] counts, String[] labels) {
        int n = counts.length;
        int cell = 36;
        int left = 110;
        int top = 60;
        int size = left + cell * n + 20;
        long max = 1;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        StringBuilder svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" width=\"")
                .append(size).append("\" height=\"").append(top + cell * n + 30).append("\">");
        svg.append("<text x=\"").append(left + cell * n / 2).append("\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">predicted</text>");
        svg.append("<text x=\"12\" y=\"").append(top + cell * n / 2).append("\" font-size=\"13\" transform=\"rotate(-90 12 ")
                .append(top + cell * n / 2).append(")\" text-anchor=\"middle\">true</text>");
        for (int j = 0; j < n; j++) {
            svg.append("<text x=\"").append(left + cell * j + cell / 2).append("\" y=\"").append(top - 8)
                    .append("\" text-anchor=\"middle\" font-size=\"10\">").append(escape(short10(labels[j]))).append("</text>");
        }
        for (int i = 0; i < n; i++) {
            svg.append("<text x=\"").append(left - 6).append("\" y=\"").append(top + cell * i + cell / 2 + 4)
                    .append("\" text-anchor=\"end\" font-size=\"10\">").append(escape(labels[i])).append("</text>");
            for (int j = 0; j < n; j++) {
                double intensity = Math.sqrt((double) counts[i][j] / max);
                int shade = (int) Math.round(255 * (1 - intensity));
                String fill = i == j ? String.format("rgb(%d,%d,255)", shade, shade) : String.format("rgb(255,%d,%d)", shade, shade);
                svg.append("<rect x=\"").append(left + cell * j).append("\" y=\"").append(top + cell * i).append("\" width=\"")
                        .append(cell).append("\" height=\"").append(cell).append("\" fill=\"").append(fill).append("\" stroke=\"#ddd\"/>");
                svg.append("<text x=\"").append(left + cell * j + cell / 2).append("\" y=\"").append(top + cell * i + cell / 2 + 4)
                        .append("\" text-anchor=\"middle\" font-size=\"10\" fill=\"").append(intensity > 0.6 ? "#fff" : "#222")
                        .append("\">").append(counts[i][j]).append("</text>");
            }
        }
        return svg.append("</svg>").toString();
    }

    private static String short10(String label) {
        return label.length() <= 6 ? label : label.substring(0, 5) + ".";
    }
}
