package dev.descent.examples;

/**
 * The page every command's HTML report is written in: one style for all of them, charts the width
 * of the page (each {@code .row} stacks its charts), tables, digit grids and the model's graph.
 */
final class HtmlPage {
    static final String STYLE = "body{font-family:sans-serif;margin:24px auto;padding:0 24px;color:#222;max-width:1200px;line-height:1.4}"
            + "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}"
            + ".row{display:grid;grid-template-columns:1fr;gap:20px}"
            + ".grid{display:flex;flex-wrap:wrap;gap:6px}figure{margin:0;text-align:center;font-size:11px}"
            + "table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}.graph{overflow:auto;max-height:700px;border:1px solid #eee}"
            + ".reading{max-width:900px}.command{font-family:monospace;background:#f4f4f4;padding:6px 10px;overflow-x:auto}";

    private HtmlPage() {
    }

    /** A whole page: {@code title} (escaped here) in the head and as the heading, then {@code body} (HTML). */
    static String of(String title, String body) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + Svg.escape(title) + "</title><style>" + STYLE
                + "</style></head><body><h1>" + Svg.escape(title) + "</h1>" + body + "</body></html>\n";
    }
}
