package dev.descent.examples;

import java.io.PrintStream;

/**
 * Progress of an epoch: a bar redrawn in place on a terminal (samples/s, running loss, ETA), or
 * a plain line every tenth of the epoch when the output is a file or a pipe.
 */
final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final String label;
    private final long start = System.nanoTime();
    private int lastTenth = -1;

    Progress(PrintStream out, boolean terminal, String label) {
        this.out = out;
        this.terminal = terminal;
        this.label = label;
    }

    void update(int step, int steps, double runningLoss, int samples) {
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = samples / Math.max(seconds, 1e-9);
        double eta = seconds / step * (steps - step);
        if (terminal) {
            int width = 30;
            int filled = (int) ((long) width * step / steps);
            out.printf("\r%s [%s%s] %d/%d  %,.0f samples/s  loss %.4f  ETA %.0fs ", label, "=".repeat(filled),
                    " ".repeat(width - filled), step, steps, rate, runningLoss, eta);
            if (step == steps) {
                out.print("\r" + " ".repeat(100) + "\r");
            }
            out.flush();
        } else {
            int tenth = (int) (10L * step / steps);
            if (tenth != lastTenth && (tenth > 0 || step == 1)) {
                lastTenth = tenth;
                if (step < steps) {
                    out.printf("%s %3d%%  %d/%d  %,.0f samples/s  loss %.4f  ETA %.0fs%n", label, 100L * step / steps, step, steps,
                            rate, runningLoss, eta);
                }
            }
        }
    }
}
