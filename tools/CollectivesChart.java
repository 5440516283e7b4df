import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Draws docs/collectives-bandwidth.svg from the table {@code ./descent bench collectives} writes
 * (collectives-bandwidth.csv: bytes, configuration, microseconds, GB/s): all-reduce bus bandwidth
 * against message size on a logarithmic x axis, one line per configuration, and the best single
 * TCP stream as a horizontal line with half of it (the acceptance bar) dashed.
 *
 * <pre>java tools/CollectivesChart.java collectives-bandwidth.csv docs/collectives-bandwidth.svg</pre>
 */
public final class CollectivesChart {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 110;

    public static void main(String[] args) throws IOException {
        Map<String, TreeMap<Long, Double>> series = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0])).subList(1, Files.readAllLines(Path.of(args[0])).size())) {
            String[] cells = line.split(",");
            series.computeIfAbsent(cells[1], k -> new TreeMap<>()).put(Long.parseLong(cells[0]), Double.parseDouble(cells[3]));
        }
        TreeMap<Long, Double> stream = series.remove("stream");
        double best = stream.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        long minBytes = Long.MAX_VALUE;
        long maxBytes = 0;
        double maxY = best;
        for (TreeMap<Long, Double> points : series.values()) {
            minBytes = Math.min(minBytes, points.firstKey());
            maxBytes = Math.max(maxBytes, points.lastKey());
            for (double y : points.values()) {
                maxY = Math.max(maxY, y);
            }
        }
        double top = Math.ceil(maxY * 1.1 * 2) / 2;   // a half-GB/s grid line above the highest point
        double lowLog = Math.log(minBytes);
        double highLog = Math.log(maxBytes);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n",
                WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">TCP all-reduce over loopback,"
                + " float32, 2-core host: bus bandwidth 2(n-1)/n &#183; bytes / time</text>%n", WIDTH / 2));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#999\"/>%n", LEFT, TOP,
                plotWidth, plotHeight));
        for (double y = 0; y <= top + 1e-9; y += top > 4 ? 1 : 0.5) {
            double py = TOP + plotHeight * (1 - y / top);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">%.1f</text>%n", LEFT, LEFT + plotWidth, py, py, LEFT - 6,
                    py + 4, y));
        }
        for (long bytes = minBytes; bytes <= maxBytes; bytes *= 4) {
            double px = LEFT + plotWidth * (Math.log(bytes) - lowLog) / (highLog - lowLog);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>%n", px, px, TOP + plotHeight,
                    TOP + plotHeight + 4, px, TOP + plotHeight + 18, label(bytes)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">message size (log scale)</text>%n",
                LEFT + plotWidth / 2, TOP + plotHeight + 38));
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 16 %d)\">"
                + "GB/s</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2));
        List<String> legend = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, TreeMap<Long, Double>> entry : series.entrySet()) {
            StringBuilder points = new StringBuilder();
            for (Map.Entry<Long, Double> point : entry.getValue().entrySet()) {
                double px = LEFT + plotWidth * (Math.log(point.getKey()) - lowLog) / (highLog - lowLog);
                double py = TOP + plotHeight * (1 - point.getValue() / top);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                svg.append(String.format(Locale.ROOT, "<circle r=\"3\" cx=\"%.1f\" cy=\"%.1f\" fill=\"%s\"/>", px, py, COLORS[k]));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"%s\"/>%n", COLORS[k], points));
            legend.add(COLORS[k] + "|" + entry.getKey().replace(" ", " members, "));
            k++;
        }
        for (double share : new double[] {1, 0.5}) {
            double py = TOP + plotHeight * (1 - share * best / top);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"%s/>%n", LEFT,
                    LEFT + plotWidth, py, py, COLORS[4], share == 1 ? "2" : "1", share == 1 ? "" : " stroke-dasharray=\"6 4\""));
        }
        legend.add(COLORS[4] + "|" + String.format(Locale.ROOT, "one TCP stream, best %.2f GB/s (dashed: half of it)", best));
        int lx = LEFT;
        int ly = TOP + plotHeight + 62;
        for (String item : legend) {
            String[] parts = item.split("\\|");
            int entryWidth = 30 + 7 * parts[1].length();
            if (lx + entryWidth > LEFT + plotWidth) {
                lx = LEFT;
                ly += 18;
            }
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"4\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" "
                    + "font-size=\"12\">%s</text>%n", lx, ly - 6, parts[0], lx + 22, ly, parts[1]));
            lx += entryWidth;
        }
        svg.append("</svg>\n");
        Files.writeString(Path.of(args[1]), svg);
    }

    private static String label(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
