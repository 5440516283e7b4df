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

    /** A line chart with axes, ticks, a legend, and optionally a logarithmic y axis. */
    static String lineChart(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        int width = 640;
        int height = 320;
        int left = 70;
        int right = 20;
        int top = 36;
        int bottom = 48;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double y = transform(s.y()[i], logY);
                if (!Double.isFinite(y)) {
                    continue;
                }
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
        }
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" font-family=\"sans-serif\">");
        svg.append("<text x=\"").append(width / 2).append("\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">")
                .append(escape(title)).append("</text>");
        if (!Double.isFinite(xMin)) {
            return svg.append("<text x=\"20\" y=\"60\">no data</text></svg>").toString();
        }
        if (xMax == xMin) {
            xMax = xMin + 1;
        }
        if (yMax == yMin) {
            double delta = Math.max(Math.abs(yMax) * 0.1, 1e-12);
            yMin -= delta;
            yMax += delta;
        }
        double pad = (yMax - yMin) * 0.05;
        yMin -= pad;
        yMax += pad;
        int plotWidth = width - left - right;
        int plotHeight = height - top - bottom;
        svg.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(plotWidth)
                .append("\" height=\"").append(plotHeight).append("\" fill=\"#fafafa\" stroke=\"#999\"/>");
        for (int t = 0; t <= 4; t++) {
            double yValue = yMin + (yMax - yMin) * t / 4;
            double py = top + plotHeight - plotHeight * t / 4.0;
            svg.append("<line x1=\"").append(left).append("\" x2=\"").append(left + plotWidth).append("\" y1=\"").append(f(py))
                    .append("\" y2=\"").append(f(py)).append("\" stroke=\"#e4e4e4\"/>");
            String label = logY ? String.format(Locale.ROOT, "%.3g", Math.pow(10, yValue)) : String.format(Locale.ROOT, "%.4g", yValue);
            svg.append("<text x=\"").append(left - 6).append("\" y=\"").append(f(py + 4)).append("\" text-anchor=\"end\" font-size=\"11\">")
                    .append(label).append("</text>");
            double xValue = xMin + (xMax - xMin) * t / 4;
            double px = left + plotWidth * t / 4.0;
            svg.append("<text x=\"").append(f(px)).append("\" y=\"").append(top + plotHeight + 16)
                    .append("\" text-anchor=\"middle\" font-size=\"11\">").append(String.format(Locale.ROOT, "%.4g", xValue)).append("</text>");
        }
        svg.append("<text x=\"").append(left + plotWidth / 2).append("\" y=\"").append(height - 8)
                .append("\" text-anchor=\"middle\" font-size=\"12\">").append(escape(xLabel)).append("</text>");
        svg.append("<text x=\"14\" y=\"").append(top + plotHeight / 2).append("\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 ")
                .append(top + plotHeight / 2).append(")\">").append(escape(yLabel + (logY ? " (log scale)" : ""))).append("</text>");
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            StringBuilder points = new StringBuilder();
            int stride = Math.max(1, s.x().length / 2000);
            for (int i = 0; i < s.x().length; i += stride) {
                double y = transform(s.y()[i], logY);
                if (!Double.isFinite(y)) {
                    continue;
                }
                double px = left + plotWidth * (s.x()[i] - xMin) / (xMax - xMin);
                double py = top + plotHeight - plotHeight * (y - yMin) / (yMax - yMin);
                points.append(f(px)).append(',').append(f(py)).append(' ');
            }
            svg.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(color(k)).append("\" points=\"")
                    .append(points).append("\"/>");
            if (s.x().length <= 60) {
                for (int i = 0; i < s.x().length; i++) {
                    double y = transform(s.y()[i], logY);
                    if (Double.isFinite(y)) {
                        double px = left + plotWidth * (s.x()[i] - xMin) / (xMax - xMin);
                        double py = top + plotHeight - plotHeight * (y - yMin) / (yMax - yMin);
                        svg.append("<circle r=\"3\" fill=\"").append(color(k)).append("\" cx=\"").append(f(px)).append("\" cy=\"")
                                .append(f(py)).append("\"/>");
                    }
                }
            }
            int ly = top + 14 + 16 * k;
            svg.append("<rect x=\"").append(left + plotWidth - 150).append("\" y=\"").append(ly - 9).append("\" width=\"12\" height=\"3\" fill=\"")
                    .append(color(k)).append("\"/><text x=\"").append(left + plotWidth - 134).append("\" y=\"").append(ly)
                    .append("\" font-size=\"11\">").append(escape(s.name())).append("</text>");
        }
        return svg.append("</svg>").toString();
    }

    private static double transform(double y, boolean log) {
        return log ? (y > 0 ? Math.log10(y) : Double.NaN) : y;
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
