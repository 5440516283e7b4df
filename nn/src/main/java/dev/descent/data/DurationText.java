package dev.descent.data;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * Times as the fetcher's lines show them, in seconds: a limit exactly as it was set ("5 s",
 * "0.3 s", so that it matches the option a person passed), a time taken to a tenth ("1.3 s").
 */
final class DurationText {
    private DurationText() {
    }

    /** A duration for a message: "5 s", "0.3 s". */
    static String seconds(Duration duration) {
        return new BigDecimal(duration.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + " s";
    }

    /** A time taken, for a message: "1.3 s". */
    static String elapsed(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
