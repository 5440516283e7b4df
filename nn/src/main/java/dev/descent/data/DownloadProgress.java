package dev.descent.data;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The progress lines of one download: one when it starts, at most one per further tenth of a
 * known size and never two within {@link #MIN_INTERVAL_NANOS} (every {@link #UNKNOWN_SIZE_INTERVAL_NANOS}
 * when the size is unknown), and one when it ends. Lines, not carriage returns: the output is as
 * readable in a log file as on a terminal, and a 47 MB file at any speed prints at most a dozen.
 */
final class DownloadProgress {
    static final long MIN_INTERVAL_NANOS = 2_000_000_000L;
    static final long UNKNOWN_SIZE_INTERVAL_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final String url;
    private final LongSupplier clock;
    private final long start;
    private long total = -1;
    private long received;
    private long lastLine;
    private int lastTenth;

    DownloadProgress(PrintStream out, String url, LongSupplier clock) {
        this.out = out;
        this.url = url;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastLine = start;
    }

    /** The response arrived: {@code total} bytes will follow, or -1 when the server did not say. */
    void started(long total) {
        this.total = total;
        out.println("descent: " + url + ": " + (total >= 0 ? bytes(total) + " to download" : "downloading (size not given)"));
    }

    /** {@code count} more bytes arrived. */
    void advance(long count) {
        received += count;
        long now = clock.getAsLong();
        if (total > 0) {
            int tenth = (int) Math.min(10, received * 10 / total);
            if (tenth > lastTenth && tenth < 10 && now - lastLine >= MIN_INTERVAL_NANOS) {
                lastTenth = tenth;
                line(now, String.format(Locale.ROOT, "%s of %s (%d%%)", bytes(received), bytes(total), received * 100 / total));
            }
        } else if (now - lastLine >= UNKNOWN_SIZE_INTERVAL_NANOS) {
            line(now, bytes(received) + " so far");
        }
    }

    /** The whole body arrived. */
    void finished() {
        long now = clock.getAsLong();
        out.println("descent: " + url + ": " + bytes(received) + " in " + DurationText.elapsed(now - start) + " (" + rate(now) + ")");
    }

    private void line(long now, String amount) {
        lastLine = now;
        out.println("descent: " + url + ": " + amount + ", " + rate(now));
    }

    private String rate(long now) {
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        return bytes(Math.round(received / seconds)) + "/s";
    }

    /** {@code count} bytes for a person: 950 B, 12.3 kB, 9.9 MB (decimal units). */
    static String bytes(long count) {
        if (count < 10_000) {
            return count + " B";
        }
        if (count < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", count / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f MB", count / 1e6);
    }
}
