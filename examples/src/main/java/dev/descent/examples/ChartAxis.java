package dev.descent.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One axis of a chart: its range and ticks at "nice" numbers (1, 2 or 5 times a power of ten, as
 * Heckbert's labelling does), labelled with no more decimals than the step needs. An axis over
 * whole numbers (epochs, steps) ticks at whole numbers only; a non-negative quantity's axis starts
 * at zero; a logarithmic axis ticks at powers of ten (and 2 and 5 times them over few decades).
 */
record ChartAxis(double min, double max, double[] ticks, boolean log) {
    /** About this many ticks on a linear axis. */
    static final int TARGET_TICKS = 6;

    /**
     * The axis for data from {@code low} to {@code high} (finite; equal is allowed). {@code whole}:
     * the values are whole numbers; {@code fromZero}: start at zero (a non-negative quantity).
     */
    static ChartAxis linear(double low, double high, boolean whole, boolean fromZero) {
        if (fromZero) {
            low = Math.min(0, low);
        }
        if (high == low) {
            double delta = whole ? 1 : Math.max(Math.abs(high) * 0.1, 1e-12);
            high += delta;
            if (!fromZero || low - delta >= 0) {
                low -= delta;
            }
        }
        double step = niceNumber((high - low) / (TARGET_TICKS - 1), true);
        if (whole) {
            step = Math.max(1, Math.round(step));
        }
        double first = Math.floor(low / step + 1e-9) * step;
        double last = Math.ceil(high / step - 1e-9) * step;
        List<Double> ticks = new ArrayList<>();
        long count = Math.round((last - first) / step);
        for (long i = 0; i <= count; i++) {
            double t = first + i * step;   // by index, so that rounding does not accumulate
            ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return new ChartAxis(first, last, ticks.stream().mapToDouble(Double::doubleValue).toArray(), false);
    }

    /** A logarithmic axis for positive data from {@code low} to {@code high}. */
    static ChartAxis logarithmic(double low, double high) {
        int lowDecade = (int) Math.floor(Math.log10(low) + 1e-12);
        int highDecade = (int) Math.ceil(Math.log10(high) - 1e-12);
        if (highDecade == lowDecade) {
            highDecade++;
        }
        List<Double> ticks = new ArrayList<>();
        int decades = highDecade - lowDecade;
        int stride = Math.max(1, (int) Math.ceil(decades / 8.0));
        for (int d = lowDecade; d <= highDecade; d += stride) {
            ticks.add(Math.pow(10, d));
            if (decades <= 2 && d < highDecade) {
                ticks.add(2 * Math.pow(10, d));
                ticks.add(5 * Math.pow(10, d));
            }
        }
        return new ChartAxis(Math.pow(10, lowDecade), Math.pow(10, highDecade), ticks.stream().mapToDouble(Double::doubleValue).toArray(), true);
    }

    /** Where {@code value} falls on the axis, from 0 (min) to 1 (max). */
    double fraction(double value) {
        return log ? (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (value - min) / (max - min);
    }

    /** The tick labels, with as many decimals as the step between ticks needs and no more. */
    String[] labels() {
        String[] labels = new String[ticks.length];
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = log || step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        for (int i = 0; i < ticks.length; i++) {
            labels[i] = label(ticks[i], decimals);
        }
        return labels;
    }

    private String label(double value, int decimals) {
        double magnitude = Math.abs(value);
        if (value != 0 && (magnitude >= 1e6 || magnitude < 1e-4)) {
            // scientific, with the digits the value has (up to 3): 1e-5, 2.5e6
            int exponent = (int) Math.floor(Math.log10(magnitude) + 1e-9);
            double mantissa = Math.round(value / Math.pow(10, exponent) * 100) / 100.0;
            return trimZeros(String.format(Locale.ROOT, "%.2f", mantissa)) + "e" + exponent;
        }
        if (log) {
            return magnitude >= 1 ? String.format(Locale.ROOT, "%,.0f", value) : trimZeros(String.format(Locale.ROOT, "%.4f", value));
        }
        return decimals == 0 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String trimZeros(String text) {
        return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    /** A nice number near {@code x}: 1, 2 or 5 (or 10) times a power of ten, rounded or the next above. */
    static double niceNumber(double x, boolean round) {
        double exponent = Math.floor(Math.log10(x));
        double fraction = x / Math.pow(10, exponent);
        double nice;
        if (round) {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        }
        return nice * Math.pow(10, exponent);
    }
}
