package dev.descent.examples;

import java.awt.image.BufferedImage;
import java.util.List;

/** A grid of small grayscale images with captions, as HTML with embedded PNGs (self-contained). */
final class DigitGrid {
    /** One image (row-major values, dark = 0, scaled to [min, max]) with its caption. */
    record Tile(float[] pixels, int height, int width, String caption) {
    }

    private DigitGrid() {
    }

    static String html(List<Tile> tiles, int scale) {
        StringBuilder html = new StringBuilder("<div class=\"grid\">");
        for (Tile tile : tiles) {
            html.append("<figure><img alt=\"").append(Svg.escape(tile.caption())).append("\" width=\"").append(tile.width() * scale)
                    .append("\" height=\"").append(tile.height() * scale).append("\" src=\"data:image/png;base64,")
                    .append(png(tile)).append("\"><figcaption>").append(Svg.escape(tile.caption())).append("</figcaption></figure>");
        }
        return html.append("</div>").toString();
    }

    private static String png(Tile tile) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : tile.pixels()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max > min ? max - min : 1;
        BufferedImage image = new BufferedImage(tile.width(), tile.height(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < tile.height(); y++) {
            for (int x = 0; x < tile.width(); x++) {
                int gray = Math.round(255 * (tile.pixels()[y * tile.width() + x] - min) / range);
                // white digits on black in MNIST: show them dark on light, as ink on paper
                int ink = 255 - Math.max(0, Math.min(255, gray));
                image.getRaster().setSample(x, y, 0, ink);
            }
        }
        return PngEncoding.base64(image);
    }
}
