package dev.descent.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Draws an autograd graph given as DOT text: with Graphviz's {@code dot} when it is installed,
 * else as a layered SVG of our own (each operation one row above its deepest input).
 */
final class ModelGraph {
    private static final Pattern NODE = Pattern.compile("^\\s*(n\\d+) \\[label=\"(.*)\", shape=(\\w+)\\];$");
    private static final Pattern EDGE = Pattern.compile("^\\s*(n\\d+) -> (n\\d+);$");

    private ModelGraph() {
    }

    static String svg(String dot) {
        String rendered = withGraphviz(dot);
        return rendered != null ? rendered : layered(dot);
    }

    private static String withGraphviz(String dot) {
        try {
            Process process = new ProcessBuilder("dot", "-Tsvg").redirectErrorStream(false).start();
            process.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            String svg = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return null;
            }
            int start = svg.indexOf("<svg");
            return start >= 0 ? svg.substring(start) : null;
        } catch (IOException e) {
            return null; // Graphviz is not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Our own drawing: nodes in rows by depth, inputs at the bottom, arrows upwards. */
    static String layered(String dot) {
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> shapes = new HashMap<>();
        List<String[]> edges = new ArrayList<>();
        for (String line : dot.split("\n")) {
            Matcher node = NODE.matcher(line);
            Matcher edge = EDGE.matcher(line);
            if (node.matches()) {
                labels.put(node.group(1), node.group(2).replace("\\n", " "));
                shapes.put(node.group(1), node.group(3));
            } else if (edge.matches()) {
                edges.add(new String[] {edge.group(1), edge.group(2)});
            }
        }
        Map<String, Integer> depth = new HashMap<>();
        labels.keySet().forEach(n -> depth.put(n, 0));
        for (int pass = 0; pass < labels.size(); pass++) {
            boolean changed = false;
            for (String[] e : edges) {
                if (depth.get(e[1]) < depth.get(e[0]) + 1) {
                    depth.put(e[1], depth.get(e[0]) + 1);
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
        }
        int levels = depth.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        Map<Integer, List<String>> rows = new HashMap<>();
        labels.keySet().forEach(n -> rows.computeIfAbsent(depth.get(n), k -> new ArrayList<>()).add(n));
        int boxWidth = 150;
        int boxHeight = 30;
        int gapX = 20;
        int gapY = 34;
        int widest = rows.values().stream().mapToInt(List::size).max().orElse(1);
        int width = widest * (boxWidth + gapX) + gapX;
        int height = levels * (boxHeight + gapY) + gapY;
        Map<String, double[]> center = new HashMap<>();
        rows.forEach((level, nodes) -> {
            double rowWidth = nodes.size() * (boxWidth + gapX) - gapX;
            for (int i = 0; i < nodes.size(); i++) {
                double x = (width - rowWidth) / 2 + i * (boxWidth + gapX) + boxWidth / 2.0;
                double y = height - gapY - level * (boxHeight + gapY) - boxHeight / 2.0;
                center.put(nodes.get(i), new double[] {x, y});
            }
        });
        StringBuilder svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" width=\"")
                .append(width).append("\" height=\"").append(height).append("\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\""
                        + " refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/>"
                        + "</marker></defs>");
        for (String[] e : edges) {
            double[] from = center.get(e[0]);
            double[] to = center.get(e[1]);
            svg.append(String.format(java.util.Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\""
                    + " marker-end=\"url(#arrow)\"/>", from[0], from[1] - boxHeight / 2.0, to[0], to[1] + boxHeight / 2.0));
        }
        labels.forEach((n, label) -> {
            double[] c = center.get(n);
            boolean leaf = "ellipse".equals(shapes.get(n));
            svg.append(String.format(java.util.Locale.ROOT, leaf
                    ? "<ellipse cx=\"%.1f\" cy=\"%.1f\" rx=\"%d\" ry=\"%d\" fill=\"#e8f4e8\" stroke=\"#4a4\"/>"
                    : "<rect x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"#eef3fb\" stroke=\"#47a\"/>",
                    leaf ? c[0] : c[0] - boxWidth / 2.0, leaf ? c[1] : c[1] - boxHeight / 2.0, leaf ? boxWidth / 2 : boxWidth,
                    leaf ? boxHeight / 2 : boxHeight));
            svg.append(String.format(java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%s</text>",
                    c[0], c[1] + 4, Svg.escape(label.length() > 28 ? label.substring(0, 27) + "." : label)));
        });
        return svg.append("</svg>").toString();
    }
}
